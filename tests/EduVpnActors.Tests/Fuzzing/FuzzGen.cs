using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>
/// Input generators for the parser fuzz tests. Each generator draws one 31-bit seed from FsCheck and
/// builds the input with a <see cref="Random"/> on that seed, so a failing case is reproducible from
/// FsCheck's replay seed and the input's own bytes (printed by <see cref="FuzzInput.ToString"/>).
/// </summary>
internal static class FuzzGen
{
    /// <summary>JSON leaves that break naive readers: escapes, lone surrogates, huge or odd numbers, odd URLs.</summary>
    public static readonly string[] HostileJsonLeaves =
    [
        "\"\"", "\"x\"", "\"\\u0000\"", "\"\\uD800\"", "\"\\uDC00x\"", "\"\\uD800\\u0041\"", "\"\\uDBFF\\uDFFF\"", "\"\\\"\"",
        "\"é★🙂\"", "\"\\ud83d\\ude42\"", "\" \"", "\"\\t\\n\"",
        "\"https://\"", "\"http://a.example/\"", "\"https://[::1]/\"", "\"https://a b/\"", "\"https://ex%zzample.org/\"",
        "\"https://xn--80ak6aa92e.com/\"", "\"file:///etc/passwd\"", "\"javascript:alert(1)\"", "\"//example.org/\"",
        "\"https://example.org:99999/\"", "\"https://user:pw@example.org/\"", "\"https://example.org/\\u0000/\"",
        "0", "-0", "-1", "1.5", "1e999", "-1e999", "1E2", "0.0000001", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "1" + new string('0', 400),
        "true", "false", "null", "[]", "{}", "[null]", "{\"\":null}", "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]",
        "\"0001-01-01T00:00:00Z\"", "\"0001-01-01T00:00:00+01:00\"", "\"0001-01-01T00:30:00+23:59\"",
        "\"9999-12-31T23:59:59.999999999Z\"", "\"9999-12-31T23:59:59-01:00\"", "\"2024-02-30T00:00:00Z\"",
        "\"2024-03-01T12:34:56.1234567891Z\"", "\"2024-03-01T25:00:00+99:99\"", "\"10000-01-01T00:00:00Z\"",
        "\"-0001-01-01T00:00:00Z\"", "\"2024-03-01T12:34:56Z\"", "\"2024-03-01T12:00:00+23:59\"", "\"0001-01-01T00:00:00-15:00\"", "\"2024-03-01T12:34:56.Z\"", "\"2024-03-01T12:34:56+\"",
        "\"1,https://a.example/\"", "\"3,\"", "\",\"", "\"9,https://x/\"", "\"-1,x\"", "\"1,\\uD800\"",
        "\"institute_access\"", "\"secure_internet\"", "\"custom_server\"", "\"openvpn\"", "\"wireguard\"",
    ];

    /// <summary>Member names as raw JSON: lone surrogates, empty, and escaped spellings of real keys.</summary>
    private static readonly string[] HostileKeys =
    [
        "\"\\uD800\"", "\"\\uDC00\"", "\"\"", "\"\\u0076\"", "\"\\u0065n\"", "\"unknown_field\"", "\"v\"", "\"en\"", "\"nl\"",
    ];

    private static readonly string[] InsertTokens =
    [
        "null", "-1", "1e999", "\"\\uD800\"", "[]", "{}", "99999999999999999999", "\"\"", "true", ",", ":", "\"", "\\",
        "{", "}", "[", "]", "\n", "\r\n", "\t", "=", "[Interface]", "[Peer]", "/", "%", "::", "\u00ff", "\0",
    ];

    private static readonly byte[] InterestingBytes =
        [0x00, 0x01, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xF8, 0xFF, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\\', (byte)'\n', (byte)'=', (byte)'/'];

    /// <summary>Random bytes, mostly short, sometimes printable ASCII only.</summary>
    public static Gen<FuzzInput> RandomBytes(int maxLength = 512) =>
        Seeded(random =>
        {
            var length = random.Next(4) == 0 ? random.Next(maxLength + 1) : random.Next(Math.Min(64, maxLength) + 1);
            var bytes = new byte[length];
            if (random.Next(3) == 0)
            {
                for (var i = 0; i < length; i++)
                {
                    bytes[i] = (byte)random.Next(0x20, 0x7F);
                }
                return new FuzzInput(FuzzOrigin.Random, "printable", bytes);
            }
            random.NextBytes(bytes);
            return new FuzzInput(FuzzOrigin.Random, "bytes", bytes);
        });

    /// <summary>One of <paramref name="seeds"/> with one to eight stacked byte-level mutations (or none, rarely).</summary>
    public static Gen<FuzzInput> Mutations(IReadOnlyList<byte[]> seeds, int maxSteps = 8) =>
        Seeded(random =>
        {
            var seedIndex = random.Next(seeds.Count);
            var (bytes, how) = Mutated(seeds[seedIndex], random, seeds, maxSteps);
            return new FuzzInput(FuzzOrigin.Mutation, $"seed {seedIndex}{how}", bytes);
        });

    /// <summary>
    /// <paramref name="seed"/> with one to <paramref name="maxSteps"/> stacked mutations (none, one time in
    /// twenty); <paramref name="spliceSources"/> feed the splices. Returns the bytes and the steps taken.
    /// </summary>
    public static (byte[] Bytes, string How) Mutated(byte[] seed, Random random, IReadOnlyList<byte[]> spliceSources, int maxSteps = 8)
    {
        var bytes = new List<byte>(seed);
        var steps = random.Next(20) == 0 ? 0 : 1 + random.Next(maxSteps);
        var how = new StringBuilder();
        for (var i = 0; i < steps; i++)
        {
            how.Append(", ").Append(Mutate(bytes, random, spliceSources));
        }
        return ([.. bytes], how.ToString());
    }

    /// <summary>
    /// Walks a valid JSON seed and re-emits it with, per node, a chance to drop, repeat or retype
    /// members and elements or to replace a value by a hostile leaf; keys stay, so parsers get deep.
    /// </summary>
    public static Gen<FuzzInput> StructuredJson(IReadOnlyList<byte[]> seeds, IReadOnlyList<string>? extraLeaves = null)
    {
        var documents = seeds.Select(s => JsonDocument.Parse(s).RootElement.Clone()).ToArray();
        string[] leaves = [.. HostileJsonLeaves, .. extraLeaves ?? []];
        return Seeded(random =>
        {
            var index = random.Next(documents.Length);
            // Per-input intensity: many inputs stay almost valid so the typed checks after parsing run.
            var intensity = random.NextDouble() * random.NextDouble() * 0.5;
            var sb = new StringBuilder();
            EmitJson(documents[index], random, sb, intensity, leaves, 0);
            return new FuzzInput(FuzzOrigin.Structured, $"seed {index}, intensity {intensity:F3}", Encoding.UTF8.GetBytes(sb.ToString()));
        });
    }

    /// <summary>The usual mix: 20 % random bytes, 40 % mutations, 40 % structure-aware inputs.</summary>
    public static Gen<T> Mix<T>(Gen<T> random, Gen<T> mutations, Gen<T> structured) =>
        Gen.Frequency((2, random), (4, mutations), (4, structured));

    /// <summary>A generator built from one FsCheck-drawn seed.</summary>
    public static Gen<T> Seeded<T>(Func<Random, T> build) =>
        Gen.Choose(0, int.MaxValue).Select(seed => build(new Random(seed)));

    /// <summary>A random JSON value of bounded depth, from hostile leaves and the given keys.</summary>
    public static string RandomJson(Random random, IReadOnlyList<string> leaves, IReadOnlyList<string> keys, int depth)
    {
        var roll = random.Next(depth > 3 ? 1 : 4);
        switch (roll)
        {
            case 1:
                return "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, leaves, keys, depth + 1))) + "]";
            case 2:
                return "{" + string.Join(",", Enumerable.Range(0, random.Next(4))
                    .Select(_ => JsonSerializer.Serialize(keys[random.Next(keys.Count)]) + ":" + RandomJson(random, leaves, keys, depth + 1))) + "}";
            default:
                return leaves[random.Next(leaves.Count)];
        }
    }

    private static void EmitJson(JsonElement element, Random random, StringBuilder sb, double intensity, string[] leaves, int depth)
    {
        if (random.NextDouble() < intensity * 0.4)
        {
            sb.Append(RandomJson(random, leaves, ["v", "x", "en", "nl", ""], depth));
            return;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var member in element.EnumerateObject())
                {
                    var repeats = random.NextDouble() < intensity * 0.3 ? 0 : random.NextDouble() < intensity * 0.2 ? 2 : 1;
                    for (var i = 0; i < repeats; i++)
                    {
                        var key = random.NextDouble() < intensity * 0.05 ? HostileKeys[random.Next(HostileKeys.Length)] : JsonSerializer.Serialize(member.Name);
                        sb.Append(first ? "" : ",").Append(key).Append(':');
                        first = false;
                        EmitJson(member.Value, random, sb, intensity, leaves, depth + 1);
                    }
                }
                if (random.NextDouble() < intensity * 0.2)
                {
                    sb.Append(first ? "" : ",").Append(HostileKeys[random.Next(HostileKeys.Length)]).Append(':')
                        .Append(RandomJson(random, leaves, ["a"], depth + 1));
                }
                sb.Append('}');
                return;
            case JsonValueKind.Array:
                sb.Append('[');
                var any = false;
                foreach (var item in element.EnumerateArray())
                {
                    var repeats = random.NextDouble() < intensity * 0.3 ? 0 : random.NextDouble() < intensity * 0.2 ? 2 : 1;
                    for (var i = 0; i < repeats; i++)
                    {
                        sb.Append(any ? "," : "");
                        any = true;
                        EmitJson(item, random, sb, intensity, leaves, depth + 1);
                    }
                }
                sb.Append(']');
                return;
            default:
                sb.Append(random.NextDouble() < intensity ? leaves[random.Next(leaves.Length)] : element.GetRawText());
                return;
        }
    }

    private static string Mutate(List<byte> bytes, Random random, IReadOnlyList<byte[]> seeds)
    {
        var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
        switch (random.Next(9))
        {
            case 0 when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                return $"flip@{at}";
            case 1 when bytes.Count > 0:
                bytes[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                return $"set@{at}";
            case 2:
                bytes.RemoveRange(at, bytes.Count - at);
                return $"truncate@{at}";
            case 3:
                var insert = new byte[1 + random.Next(16)];
                random.NextBytes(insert);
                bytes.InsertRange(at, insert);
                return $"insert{insert.Length}@{at}";
            case 4:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(InsertTokens[random.Next(InsertTokens.Length)]));
                return $"token@{at}";
            case 5 when bytes.Count > 0:
                var count = Math.Min(bytes.Count - at, 1 + random.Next(32));
                bytes.RemoveRange(at, count);
                return $"delete{count}@{at}";
            case 6 when bytes.Count > 0:
                var length = Math.Min(bytes.Count - at, 1 + random.Next(64));
                bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                return $"duplicate{length}@{at}";
            case 7 when seeds.Count > 0:
                var other = seeds[random.Next(seeds.Count)];
                var from = other.Length == 0 ? 0 : random.Next(other.Length);
                var take = Math.Min(other.Length - from, 1 + random.Next(128));
                bytes.InsertRange(at, other.AsSpan(from, take).ToArray());
                return $"splice{take}@{at}";
            default:
                if (bytes.Count > 1)
                {
                    var i = random.Next(bytes.Count);
                    (bytes[at], bytes[i]) = (bytes[i], bytes[at]);
                }
                return $"swap@{at}";
        }
    }
}
