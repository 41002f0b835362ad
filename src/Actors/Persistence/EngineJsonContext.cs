using System.Text.Json.Serialization;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// Compile-time JSON metadata of every persisted type, for <see cref="EngineSerializer"/>. Without it the first
/// decode of each type in a fresh process builds its metadata by reflection and emits accessors that are then
/// JIT-compiled (about 450 methods and 180 ms of CPU before a console command answers); this code is compiled ahead
/// of time with the rest of the engine. The JSON is the same: the serializer's own options (camelCase, enums as
/// camelCase strings) apply, and a type missing here still works through reflection (a test lists them all).
/// </summary>
[JsonSerializable(typeof(ServerAdded))]
[JsonSerializable(typeof(ServerRemoved))]
[JsonSerializable(typeof(CurrentServerSelected))]
[JsonSerializable(typeof(ProfileChosen))]
[JsonSerializable(typeof(LocationChosen))]
[JsonSerializable(typeof(ServerAuthorized))]
[JsonSerializable(typeof(ServerConfigObtained))]
[JsonSerializable(typeof(ServerConfigReleased))]
[JsonSerializable(typeof(ServerImported))]
[JsonSerializable(typeof(ServerRegistrySnapshot))]
[JsonSerializable(typeof(DiscoveryListAccepted))]
[JsonSerializable(typeof(DiscoveryListConfirmed))]
[JsonSerializable(typeof(DiscoverySnapshot))]
[JsonSerializable(typeof(DiscoveryListDiscarded))]
[JsonSerializable(typeof(SessionTokensStored))]
[JsonSerializable(typeof(SessionTokensDropped))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;
