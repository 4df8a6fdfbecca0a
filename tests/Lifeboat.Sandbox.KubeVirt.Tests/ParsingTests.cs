using Lifeboat.Sandbox.KubeVirt.Infrastructure;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("16Mi", 16L << 20)]
    [InlineData("1.5Gi", 3L << 29)]
    [InlineData("500M", 500_000_000L)]
    [InlineData("4096", 4096L)]
    public void Storage_quantities_parse_to_bytes(string text, long bytes) => Assert.Equal(bytes, Quantity.ParseBytes(text, "test"));

    [Fact]
    public void A_bad_quantity_names_where_it_came_from()
    {
        var error = Assert.Throws<FormatException>(() => Quantity.ParseBytes("lots", "persistentvolumeclaim ns/data spec.resources.requests.storage"));
        Assert.Equal("persistentvolumeclaim ns/data spec.resources.requests.storage: \"lots\" is not a storage quantity", error.Message);
    }

    [Theory]
    [InlineData("5m0s", 300_000)]
    [InlineData("300ms", 300)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("0", 0)]
    public void Go_durations_parse(string text, double milliseconds) => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text, "test"));

    [Fact]
    public void A_bad_duration_is_refused() => Assert.Throws<FormatException>(() => GoDuration.Parse("5 minutes", "unfreezeTimeout"));

    [Fact]
    public void Quantities_format_in_binary_units_when_exact() =>
        Assert.Equal(["1Gi", "16Mi", "1000"], new[] { 1L << 30, 16L << 20, 1000L }.Select(Quantity.Format));
}
