using EduVpnActors.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>
/// Runs one parser over generated inputs with FsCheck. The property: the parser either returns or
/// throws one of its typed exceptions; anything else fails the test with the input that caused it.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>Inputs per parser (the issue asks for at least 10,000).</summary>
    public const int InputsPerParser = 10_000;

    /// <param name="output">Receives the counts.</param>
    /// <param name="parser">Name printed with the counts.</param>
    /// <param name="inputs">The generator.</param>
    /// <param name="parse">Runs the parser; returns whether it accepted the input.</param>
    /// <param name="isTyped">Whether an exception is one the parser documents.</param>
    public static FuzzCounts Run<T>(
        ITestOutputHelper output, string parser, Gen<T> inputs, Func<T, bool> parse, Func<Exception, bool> isTyped, Func<T, FuzzOrigin> originOf)
    {
        var counts = new FuzzCounts();
        var property = Prop.ForAll(Arb.From(inputs), input =>
        {
            counts.Count(originOf(input));
            try
            {
                if (parse(input))
                {
                    counts.Accepted++;
                }
                else
                {
                    counts.Rejected++;
                }
            }
            catch (Exception e) when (isTyped(e))
            {
                counts.Rejected++;
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(InputsPerParser).WithQuietOnSuccess(true), property);
        Figures.Report(output, $"fuzz {parser}: {counts}");
        Assert.True(counts.Total >= InputsPerParser, $"only {counts.Total} inputs ran");
        Assert.Equal(counts.Total, counts.Accepted + counts.Rejected);
        return counts;
    }

    /// <summary>The same for <see cref="FuzzInput"/> generators.</summary>
    public static FuzzCounts Run(
        ITestOutputHelper output, string parser, Gen<FuzzInput> inputs, Func<FuzzInput, bool> parse, Func<Exception, bool> isTyped) =>
        Run(output, parser, inputs, parse, isTyped, input => input.Origin);
}

/// <summary>What one fuzz run saw (single-threaded: FsCheck runs the property sequentially here).</summary>
internal sealed class FuzzCounts
{
    private readonly Dictionary<FuzzOrigin, int> _byOrigin = Enum.GetValues<FuzzOrigin>().ToDictionary(o => o, _ => 0);

    public int Total { get; private set; }
    public int Accepted { get; set; }
    public int Rejected { get; set; }

    public int this[FuzzOrigin origin] => _byOrigin[origin];

    public void Count(FuzzOrigin origin)
    {
        Total++;
        _byOrigin[origin]++;
    }

    public override string ToString() =>
        $"{Total} inputs ({_byOrigin[FuzzOrigin.Random]} random, {_byOrigin[FuzzOrigin.Mutation]} mutated, "
        + $"{_byOrigin[FuzzOrigin.Structured]} structure-aware): {Accepted} accepted, {Rejected} rejected with a typed error, 0 untyped";
}
