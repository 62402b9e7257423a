using System.Text.Json.Serialization;

namespace SpaceTime.Runtime.Http;

/// <summary>
/// Serialization code generated at build time for the answers clients poll most (status, health, scene and player
/// state), with the API's wire options (snake_case): they skip the reflection-based serializer. Every other type is
/// still served by the reflection resolver behind it in the chain.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(Status.StatusResponse))]
[JsonSerializable(typeof(Health.HealthResponse))]
[JsonSerializable(typeof(Scenes.CurrentSceneResponse))]
[JsonSerializable(typeof(State.SceneStateJson))]
[JsonSerializable(typeof(State.PlayerJson))]
[JsonSerializable(typeof(State.VrJson))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
