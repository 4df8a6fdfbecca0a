using System.Text.Json.Nodes;
using Lifeboat.Core.Filters;

namespace Lifeboat.Core.Tests.Filters;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front" };

    [Theory]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app=db", false)]
    [InlineData("app in (db, web)", true)]
    [InlineData("app notin (db,web)", false)]
    [InlineData("app", true)]
    [InlineData("!app", false)]
    [InlineData("!missing", true)]
    [InlineData("missing!=x", true)]
    [InlineData("app=web,tier in (front,back),!legacy", true)]
    [InlineData("app=web,tier=back", false)]
    [InlineData("", true)]
    public void String_selectors_match_like_kubernetes(string selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels));

    [Fact]
    public void String_form_round_trips_for_the_api_server()
    {
        const string text = "app=web,tier in (a,b),x notin (c),y,!z,w!=v";
        Assert.Equal(text, LabelSelector.Parse(text).ToString());
    }

    [Fact]
    public void Object_selectors_match()
    {
        var selector = LabelSelector.FromJson(JsonNode.Parse("""
            {"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["front"]},{"key":"legacy","operator":"DoesNotExist"}]}
            """));
        Assert.True(selector.Matches(Labels));
        Assert.Equal("app=web,tier in (front),!legacy", selector.ToString());
    }

    [Theory]
    [InlineData("app in web")]
    [InlineData("app=web,,x")]
    [InlineData("bad key=1")]
    [InlineData("app maybe (x)")]
    public void Malformed_selectors_are_refused_with_the_selector_named(string selector)
    {
        var ex = Assert.Throws<FilterValidationException>(() => LabelSelector.Parse(selector));
        Assert.Contains(selector, ex.Message);
    }
}

public class LabelSelectorJsonTests
{
    [Theory]
    [InlineData("app=web")]
    [InlineData("app=web,tier in (a,b),!legacy,x!=y,z")]
    public void The_object_form_selects_the_same_objects(string text)
    {
        var viaJson = LabelSelector.FromJson(LabelSelector.Parse(text).ToJson());
        var samples = new[]
        {
            new Dictionary<string, string> { ["app"] = "web", ["tier"] = "a", ["z"] = "1" },
            new Dictionary<string, string> { ["app"] = "web", ["tier"] = "c" },
            new Dictionary<string, string> { ["app"] = "web", ["legacy"] = "1", ["tier"] = "a", ["z"] = "" },
            new Dictionary<string, string> { ["app"] = "db" },
        };
        foreach (var labels in samples)
        {
            Assert.Equal(LabelSelector.Parse(text).Matches(labels), viaJson.Matches(labels));
        }
    }
}
