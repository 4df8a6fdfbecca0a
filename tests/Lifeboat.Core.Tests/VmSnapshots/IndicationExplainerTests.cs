using System.Text.Json.Nodes;
using Lifeboat.Core.VmSnapshots;

namespace Lifeboat.Core.Tests.VmSnapshots;

public sealed class IndicationExplainerTests
{
    [Theory]
    [InlineData("Online", "running")]
    [InlineData("GuestAgent", "application-consistent")]
    [InlineData("NoGuestAgent", "crash-consistent")]
    [InlineData("QuiesceTimeout", "crash-consistent")]
    [InlineData("Paused", "paused")]
    [InlineData("PartialSnapshot", "left out")]
    [InlineData("Future", "unrecognised")]
    public void Each_indication_is_explained_in_plain_words(string indication, string expected) =>
        Assert.Contains(expected, IndicationExplainer.Explain(indication));

    [Fact]
    public void Source_indications_are_read_with_their_messages_and_deprecated_ones_are_added()
    {
        var snapshot = JsonNode.Parse("""
            {"status":{"indications":["Online","GuestAgent","PartialSnapshot"],
                       "sourceIndications":[{"indication":"Online","message":"VM was running"},{"indication":"GuestAgent","message":"frozen"}]}}
            """)!.AsObject();

        var read = IndicationExplainer.Read(snapshot);

        Assert.Equal(["Online", "GuestAgent", "PartialSnapshot"], read.Select(i => i.Indication));
        Assert.Equal("VM was running", read[0].ControllerMessage);
        Assert.Null(read[2].ControllerMessage);
    }

    [Theory]
    [InlineData(new string[0], "offline")]
    [InlineData(new[] { "Online", "GuestAgent" }, "application-consistent")]
    [InlineData(new[] { "Online", "NoGuestAgent" }, "crash-consistent")]
    [InlineData(new[] { "Online", "GuestAgent", "QuiesceTimeout" }, "crash-consistent")]
    [InlineData(new[] { "Online", "Paused" }, "paused")]
    public void Consistency_summarises_the_indications(string[] indications, string expected) =>
        Assert.Contains(expected, IndicationExplainer.Consistency(indications));

    [Theory]
    [InlineData(null, "5m0s", false)]
    [InlineData("0", "0s", true)]
    [InlineData("90", "1m30s", false)]
    [InlineData("2m", "2m0s", false)]
    public void Failure_deadline_accepts_units_bare_seconds_and_zero(string? text, string go, bool unlimited)
    {
        var deadline = FailureDeadline.Parse(text);

        Assert.Equal(go, deadline.GoText);
        Assert.Equal(unlimited, deadline.IsUnlimited);
        Assert.Equal(unlimited, deadline.Warning is not null);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5m")]
    [InlineData("5 minutes")]
    public void Invalid_failure_deadline_names_the_flag(string text)
    {
        var error = Assert.Throws<FormatException>(() => FailureDeadline.Parse(text));

        Assert.Contains("--failure-deadline", error.Message);
        Assert.Contains(text, error.Message);
    }
}
