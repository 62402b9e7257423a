namespace SpaceTime.Packaging;

/// <summary>A packaging failure the user can fix (bad version, missing source, unusable key...); the message says what and where.</summary>
public class PackagingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Sources the package needs are not in the repository checkout.</summary>
public sealed class MissingSourcesException(string sourceRoot, IReadOnlyList<string> paths)
    : PackagingException($"missing required source(s) under {sourceRoot}: {string.Join(", ", paths)}")
{
    public IReadOnlyList<string> Paths { get; } = paths;
}

/// <summary>A signing or public key file cannot be read or used.</summary>
public sealed class SigningKeyException(string message, Exception? inner = null) : PackagingException(message, inner);
