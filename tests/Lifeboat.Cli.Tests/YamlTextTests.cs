using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Sandbox.Http;

namespace Lifeboat.Cli.Tests;

public sealed class YamlTextTests
{
    [Theory]
    [InlineData("true")]
    [InlineData("False")]
    [InlineData("yes")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("123")]
    [InlineData("-1.5e3")]
    [InlineData("0x1F")]
    [InlineData(".inf")]
    [InlineData("12:30")]
    [InlineData("a: b")]
    [InlineData("- item")]
    [InlineData("#comment")]
    [InlineData("  leading spaces")]
    [InlineData("two\nlines\n")]
    [InlineData("quote \" and 'apostrophe'")]
    [InlineData("ünïcødé ✓")]
    [InlineData("2026-12-03T16:12:13Z")]
    public void Every_string_reads_back_as_the_same_string(string text)
    {
        var document = new JsonObject { ["value"] = text, ["list"] = new JsonArray(text) };

        var yaml = YamlText.FromJson(document);

        Assert.True(JsonNode.DeepEquals(document, YamlJson.Parse(yaml)), $"YAML was:\n{yaml}");
    }

    [Fact]
    public void A_document_is_block_style_in_key_order_with_typed_scalars()
    {
        var document = new JsonObject
        {
            ["kind"] = "Backup",
            ["spec"] = new JsonObject { ["ttl"] = "720h0m0s", ["includedNamespaces"] = new JsonArray("demo", "web") },
            ["status"] = new JsonObject { ["errors"] = 0, ["ratio"] = 2.5, ["done"] = true, ["failureReason"] = null },
        };

        var yaml = YamlText.FromJson(document);

        Assert.Equal("""
            kind: Backup
            spec:
              ttl: 720h0m0s
              includedNamespaces:
              - demo
              - web
            status:
              errors: 0
              ratio: 2.5
              done: true
              failureReason: null

            """.ReplaceLineEndings("\n"), yaml.ReplaceLineEndings("\n"));
        Assert.True(JsonNode.DeepEquals(document, YamlJson.Parse(yaml)));
    }
}
