using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.State;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Runtime.Input;

/// <summary>A pose relative to the XR origin: position (m) and rotation as Euler degrees (x pitch, y yaw, z roll).</summary>
public sealed record PoseRequest(Vec3Request? Position, Vec3Request? Rotation);

public sealed record Vec3Request(float X = 0, float Y = 0, float Z = 0);

public sealed record StickRequest(float X = 0, float Y = 0);

public sealed record ControllerRequest(PoseRequest? Pose, float Trigger = 0, float Grip = 0, bool PrimaryButton = false, StickRequest? Thumbstick = null);

/// <summary>Simulated VR hardware for the next <c>ticks</c> ticks (default 1, at most 90,000).</summary>
public sealed record VrInputRequest(PoseRequest? Headset, ControllerRequest? Left, ControllerRequest? Right, int? Ticks);

public sealed record VrInputResponse(string Status, long AppliesFromTick, VrJson Vr);

/// <summary><c>POST /input/vr</c>: headset and controllers without a headset.</summary>
public static class VrInputApi
{
    public static IEndpointRouteBuilder MapVrInputApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/input/vr", PostVrInput).WithTags("Input").RequirePermission(Permissions.InputWrite);
        return app;
    }

    /// <summary>Checks a request and turns it into the world's input; null and an error when it is out of range.</summary>
    public static VrInput? ToInput(VrInputRequest request, out string error)
    {
        var ticks = request.Ticks ?? 1;
        error = "";
        if (ticks is < 1 or > HeadlessGame.MaxStepTicks)
        {
            error = $"'ticks' must be from 1 to {HeadlessGame.MaxStepTicks}";
            return null;
        }

        foreach (var (name, c) in new[] { ("left", request.Left), ("right", request.Right) })
        {
            if (c is null)
            {
                continue;
            }

            if (!In(c.Trigger, 0, 1) || !In(c.Grip, 0, 1) || !In(c.Thumbstick?.X ?? 0, -1, 1) || !In(c.Thumbstick?.Y ?? 0, -1, 1))
            {
                error = $"'{name}': trigger and grip must be in [0, 1] and thumbstick x, y in [-1, 1]";
                return null;
            }
        }

        var poses = new[] { ("headset", request.Headset), ("left.pose", request.Left?.Pose), ("right.pose", request.Right?.Pose) };
        foreach (var (name, pose) in poses)
        {
            if (pose is not null && !(Finite(pose.Position, 100) && Finite(pose.Rotation, 360)))
            {
                error = $"'{name}': position components must be within ±100 m and rotation within ±360°";
                return null;
            }
        }

        return new VrInput(Pose(request.Headset), Pose(request.Left?.Pose), Pose(request.Right?.Pose), Controller(request.Left), Controller(request.Right), ticks);
    }

    public static async Task<Results<Ok<VrInputResponse>, ProblemHttpResult>> PostVrInput(VrInputRequest? request, HeadlessGame game, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return ApiProblems.BadRequest("Send headset, left and/or right, and ticks");
        }

        if (ToInput(request, out var error) is not { } input)
        {
            return ApiProblems.BadRequest(error);
        }

        try
        {
            var (tick, vr) = await game.ReadAsync(w =>
            {
                w.Apply(input);
                return (w.SceneTick + 1, w.GetVrState());
            }, cancellationToken);
            return TypedResults.Ok(new VrInputResponse("ok", tick, VrJson.From(vr)));
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict(e.Message);
        }
    }

    private static TrackedPoseInput? Pose(PoseRequest? pose) => pose is null
        ? null
        : new TrackedPoseInput(pose.Position?.X ?? 0, pose.Position?.Y ?? 0, pose.Position?.Z ?? 0, pose.Rotation?.X ?? 0, pose.Rotation?.Y ?? 0, pose.Rotation?.Z ?? 0);

    private static ControllerInput? Controller(ControllerRequest? c) => c is null
        ? null
        : new ControllerInput(c.Trigger, c.Grip, c.PrimaryButton, c.Thumbstick?.X ?? 0, c.Thumbstick?.Y ?? 0);

    private static bool In(float v, float min, float max) => float.IsFinite(v) && v >= min && v <= max;

    private static bool Finite(Vec3Request? v, float limit) => v is null || (In(v.X, -limit, limit) && In(v.Y, -limit, limit) && In(v.Z, -limit, limit));
}
