// The manager supervises Linux process groups (setsid, kill(2), /proc); so do its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
