using SpaceTime.Deploy.Tests.Support;

// The deployment kit targets Linux hosts (systemd, supervisord, nginx, POSIX shells).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: AssemblyFixture(typeof(SharedSpacetime))]
