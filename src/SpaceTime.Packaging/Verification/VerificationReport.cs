namespace SpaceTime.Packaging.Verification;

/// <summary>One thing wrong with a package: the file (package path) and what is wrong with it.</summary>
public sealed record VerificationProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

public enum SignatureState
{
    /// <summary>SHA256SUMS.asc is a good signature by a trusted key.</summary>
    Verified,

    /// <summary>There is no SHA256SUMS.asc.</summary>
    Unsigned,

    /// <summary>The signature matches the key shipped inside the package, but no trusted key was given, so it proves nothing.</summary>
    Untrusted,

    /// <summary>The signature is damaged, made by another key, or does not match SHA256SUMS.</summary>
    Invalid,
}

/// <summary>What <see cref="PackageVerifier"/> found. The package passes when there is no problem.</summary>
public sealed record VerificationReport(
    string Target,
    string? Version,
    int FileCount,
    SignatureState Signature,
    string? SignerFingerprint,
    IReadOnlyList<VerificationProblem> Problems,
    IReadOnlyList<string> Notes)
{
    public bool Passed => Problems.Count == 0;
}

/// <summary>How strict verification is.</summary>
/// <param name="TrustedKeys">The keys a signature must come from; without them no signature counts as verified.</param>
/// <param name="AllowUnsigned">Accept a package whose signature is missing or cannot be checked against a trusted key (integrity is still checked).</param>
public sealed record VerifyOptions(Signing.TrustedKeys? TrustedKeys, bool AllowUnsigned);
