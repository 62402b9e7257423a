// The tests drive real Linux tools (gpg, tar, sha256sum, git) and check Unix file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
