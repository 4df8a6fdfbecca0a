namespace Lifeboat.Core.Tests;

public class GoDurationTests
{
    [Theory]
    [InlineData("720h", 720 * 3600)]
    [InlineData("720h0m0s", 720 * 3600)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("90", 90)]
    [InlineData("1.5s", 1.5)]
    [InlineData("250ms", 0.25)]
    public void Parses_go_durations_and_bare_seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), GoDuration.Parse(text, "--ttl"));

    [Theory]
    [InlineData(720 * 3600, "720h0m0s")]
    [InlineData(300, "5m0s")]
    [InlineData(1.5, "1.5s")]
    [InlineData(0, "0s")]
    public void Formats_like_go(double seconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("soon")]
    [InlineData("5 minutes")]
    [InlineData("-5")]
    [InlineData("")]
    public void Rejects_garbage_naming_the_option(string text)
    {
        var ex = Assert.Throws<FormatException>(() => GoDuration.Parse(text, "--csi-snapshot-timeout"));
        Assert.StartsWith("--csi-snapshot-timeout:", ex.Message);
    }
}
