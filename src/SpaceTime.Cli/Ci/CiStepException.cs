namespace SpaceTime.Cli.Ci;

/// <summary>A CI step that cannot go on (the game never became READY, a required secret is missing); the message is the one line shown.</summary>
internal sealed class CiStepException(string message) : Exception(message);
