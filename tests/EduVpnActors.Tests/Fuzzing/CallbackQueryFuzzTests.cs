using System.Text;
using EduVpnActors.Actors.Sessions.OAuth;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>
/// The OAuth callback query (what any local process or web page can send to the loopback listener):
/// it must never throw, and only a query carrying the right <c>state</c> may ever yield a code or end
/// the flow.
/// </summary>
public sealed class CallbackQueryFuzzTests(ITestOutputHelper output)
{
    private const string State = "s7T4-aB_9xQ";
    private const string Issuer = "https://vpn.example.org/";

    private static readonly string[] Seeds =
    [
        $"code=abc123&state={State}&iss=https%3A%2F%2Fvpn.example.org%2F",
        $"?state={State}&error=access_denied&error_description=The+user+said+no",
        $"state={State}&code=x",
        "code=abc&state=other",
    ];

    private static readonly string[] Keys = ["code", "state", "iss", "error", "error_description", "", "STATE", "state[]", "co%64e", "=", "&"];

    private static readonly string[] Values =
    [
        "", State, State + "x", "abc", "access_denied", "invalid_request", Issuer, "https%3A%2F%2Fvpn.example.org%2F", "https://evil.example/",
        "%", "%zz", "%00", "%C3%A9", "%ED%A0%80", "+", "%2B", "&", "=", "\u0000", "\r\n", "é", new string('a', 3000),
    ];

    [Fact]
    public void CallbackQuery_GeneratedInputs_NeverThrowAndOnlyTheRightStateCounts()
    {
        var structured = FuzzGen.Seeded(r =>
        {
            var pairs = Enumerable.Range(0, r.Next(7)).Select(_ =>
                r.Next(8) == 0 ? Values[r.Next(Values.Length)] : $"{Keys[r.Next(Keys.Length)]}={Values[r.Next(Values.Length)]}");
            var query = (r.Next(3) == 0 ? "?" : "") + string.Join(r.Next(10) == 0 ? "&&" : "&", pairs);
            return new FuzzInput(FuzzOrigin.Structured, "pairs", Encoding.UTF8.GetBytes(query));
        });
        var inputs = FuzzGen.Mix(FuzzGen.RandomBytes(), FuzzGen.Mutations(Seeds.Select(Encoding.UTF8.GetBytes).ToArray()), structured);

        var counts = FuzzRunner.Run(output, "CallbackValidator.Validate", inputs, input =>
        {
            var query = input.Text;
            var outcome = CallbackValidator.Validate(query, State, Issuer);
            if (outcome is not CallbackOutcome.Ignored)
            {
                // Whatever decided the flow carried our state, exactly once.
                Assert.Contains("state=" + State, query.Replace("%2D", "-").Replace("%5F", "_"), StringComparison.Ordinal);
            }
            return outcome is CallbackOutcome.Code;
        }, _ => false);

        Assert.True(counts.Accepted > 0, "no generated query carried a valid code");
    }
}
