using Lifeboat.Core.Filters;

namespace Lifeboat.Core.Tests.Filters;

public class NamespaceFilterTests
{
    [Theory]
    [InlineData("vms-*", "vms-prod", true)]
    [InlineData("vms-*", "web", false)]
    [InlineData("team-?", "team-a", true)]
    [InlineData("team-?", "team-ab", false)]
    [InlineData("team-[ab]", "team-b", true)]
    [InlineData("team-[ab]", "team-c", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Globs_match_like_velero(string pattern, string name, bool expected) =>
        Assert.Equal(expected, NamespaceGlob.Parse(pattern).Matches(name));

    [Theory]
    [InlineData("a**b", "\"**\" is not supported")]
    [InlineData("a|b", "character '|' is not supported")]
    [InlineData("{a,b}", "character '{' is not supported")]
    [InlineData("a[]", "empty character class")]
    [InlineData("a[b", "unmatched '['")]
    [InlineData("a]b", "unmatched ']'")]
    [InlineData("UPPER", "not a valid namespace name pattern")]
    public void Invalid_patterns_are_refused_with_the_pattern_named(string pattern, string reason)
    {
        var ex = Assert.Throws<FilterValidationException>(() => NamespaceGlob.Parse(pattern));
        Assert.Contains($"\"{pattern}\"", ex.Message);
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Excludes_win_over_includes()
    {
        var filter = NamespaceFilter.Create(["vms-*"], ["vms-secret"]);
        Assert.True(filter.ShouldInclude("vms-prod"));
        Assert.False(filter.ShouldInclude("vms-secret"));
        Assert.False(filter.ShouldInclude("default"));
    }

    [Fact]
    public void Empty_includes_mean_everything_and_any_exclude_ends_include_everything()
    {
        Assert.True(NamespaceFilter.Create([], []).IncludesEverything);
        Assert.True(NamespaceFilter.Create(["*"], []).IncludesEverything);
        Assert.False(NamespaceFilter.Create(["*"], ["kube-system"]).IncludesEverything);
        Assert.False(NamespaceFilter.Create(["a"], []).IncludesEverything);
    }

    [Fact]
    public void Wildcard_includes_expand_against_existing_namespaces_and_may_select_nothing()
    {
        var existing = new[] { "vms-a", "vms-b", "web" };
        Assert.Equal(["vms-a", "vms-b"], NamespaceFilter.Create(["vms-*"], []).NamespacesToList(existing));
        Assert.Empty(NamespaceFilter.Create(["nothing-*"], []).NamespacesToList(existing)!);
        Assert.Null(NamespaceFilter.Create(["*"], ["web"]).NamespacesToList(existing));
    }

    [Fact]
    public void Missing_literal_includes_are_reported()
    {
        var filter = NamespaceFilter.Create(["vms-a", "ghost", "x-*"], []);
        Assert.Equal(["ghost"], filter.MissingLiteralIncludes(new HashSet<string> { "vms-a" }));
    }

    [Theory]
    [InlineData(new[] { "*", "a" }, new string[0], "\"*\" cannot be combined")]
    [InlineData(new string[0], new[] { "*" }, "\"*\" is not allowed")]
    [InlineData(new[] { "a" }, new[] { "a" }, "both included and excluded")]
    public void Contradictory_lists_are_refused(string[] includes, string[] excludes, string reason)
    {
        var ex = Assert.Throws<FilterValidationException>(() => NamespaceFilter.Create(includes, excludes));
        Assert.Contains(reason, ex.Message);
    }
}
