using SpaceTime.Deploy.Tests.Support;

[assembly: AssemblyFixture(typeof(SharedSpacetime))]
