using System.Text;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>How a fuzz input was made, for the per-parser counts.</summary>
internal enum FuzzOrigin
{
    /// <summary>Uniformly random bytes.</summary>
    Random,
    /// <summary>A valid seed document with bit flips, truncations, insertions, deletions or splices.</summary>
    Mutation,
    /// <summary>Built from the document's structure with typed or mistyped leaves.</summary>
    Structured,
}

/// <summary>One generated input. <see cref="ToString"/> is what FsCheck prints for a failing case.</summary>
internal sealed record FuzzInput(FuzzOrigin Origin, string How, byte[] Bytes)
{
    /// <summary>The bytes as UTF-8 text (invalid sequences become U+FFFD, as a caller decoding a download would).</summary>
    public string Text => Encoding.UTF8.GetString(Bytes);

    public override string ToString()
    {
        var shown = Bytes.Length <= 2048 ? Convert.ToBase64String(Bytes) : Convert.ToBase64String(Bytes, 0, 2048) + "…";
        return $"{Origin} ({How}), {Bytes.Length} bytes, base64: {shown}";
    }
}
