using System.Security.Cryptography;

namespace SpaceTime.Deploy.Tests.Support;

internal static class Secrets
{
    /// <summary>What <c>openssl rand -hex N</c> prints: strong enough for production's secret rules.</summary>
    public static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
