using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.Http;

/// <summary>
/// Decodes the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the few kinds kubectl's typed
/// commands send as protobuf (kubectl create namespace|configmap|secret|serviceaccount). Field numbers follow
/// the published k8s.io/api generated.proto files; anything else is answered with 415 so the gap is obvious.
/// </summary>
internal static class ProtobufBodies
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    private enum F { String, Bytes, Int64, Bool, Time, MapString, MapBytes, RepeatedString, Message, RepeatedMessage }

    private sealed record Field(string Name, F Kind, string? Message = null);

    private static readonly Dictionary<string, Dictionary<int, Field>> Messages = new()
    {
        ["ObjectMeta"] = new()
        {
            [1] = new("name", F.String),
            [2] = new("generateName", F.String),
            [3] = new("namespace", F.String),
            [5] = new("uid", F.String),
            [6] = new("resourceVersion", F.String),
            [7] = new("generation", F.Int64),
            [8] = new("creationTimestamp", F.Time),
            [9] = new("deletionTimestamp", F.Time),
            [10] = new("deletionGracePeriodSeconds", F.Int64),
            [11] = new("labels", F.MapString),
            [12] = new("annotations", F.MapString),
            [13] = new("ownerReferences", F.RepeatedMessage, "OwnerReference"),
            [14] = new("finalizers", F.RepeatedString),
        },
        ["OwnerReference"] = new()
        {
            [1] = new("kind", F.String),
            [3] = new("name", F.String),
            [4] = new("uid", F.String),
            [5] = new("apiVersion", F.String),
            [6] = new("controller", F.Bool),
            [7] = new("blockOwnerDeletion", F.Bool),
        },
        ["LocalObjectReference"] = new() { [1] = new("name", F.String) },
        ["Namespace"] = new()
        {
            [1] = new("metadata", F.Message, "ObjectMeta"),
            [2] = new("spec", F.Message, "NamespaceSpec"),
            [3] = new("status", F.Message, "NamespaceStatus"),
        },
        ["NamespaceSpec"] = new() { [1] = new("finalizers", F.RepeatedString) },
        ["NamespaceStatus"] = new() { [1] = new("phase", F.String) },
        ["ConfigMap"] = new()
        {
            [1] = new("metadata", F.Message, "ObjectMeta"),
            [2] = new("data", F.MapString),
            [3] = new("binaryData", F.MapBytes),
            [4] = new("immutable", F.Bool),
        },
        ["Secret"] = new()
        {
            [1] = new("metadata", F.Message, "ObjectMeta"),
            [2] = new("data", F.MapBytes),
            [3] = new("type", F.String),
            [4] = new("stringData", F.MapString),
            [5] = new("immutable", F.Bool),
        },
        ["ServiceAccount"] = new()
        {
            [1] = new("metadata", F.Message, "ObjectMeta"),
            [3] = new("imagePullSecrets", F.RepeatedMessage, "LocalObjectReference"),
            [4] = new("automountServiceAccountToken", F.Bool),
        },
    };

    public static bool IsProtobuf(string? contentType) =>
        contentType?.StartsWith("application/vnd.kubernetes.protobuf", StringComparison.OrdinalIgnoreCase) == true;

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw KubeApiException.BadRequest("protobuf body does not start with the Kubernetes envelope");
        string apiVersion = "", kind = "";
        byte[] raw = [];
        var reader = new Reader(body, Magic.Length, body.Length);
        while (reader.More)
        {
            var (num, wire) = reader.Tag();
            if (num == 1 && wire == 2)
            {
                var tm = reader.Sub();
                while (tm.More)
                {
                    var (n, w) = tm.Tag();
                    if (n == 1 && w == 2) apiVersion = tm.String();
                    else if (n == 2 && w == 2) kind = tm.String();
                    else tm.Skip(w);
                }
            }
            else if (num == 2 && wire == 2) raw = reader.Bytes();
            else reader.Skip(wire);
        }
        if (!Messages.ContainsKey(kind) || kind is "ObjectMeta" or "OwnerReference" or "LocalObjectReference" or "NamespaceSpec" or "NamespaceStatus")
            throw KubeApiException.UnsupportedMediaType($"the sandbox decodes protobuf bodies only for Namespace, ConfigMap, Secret and ServiceAccount (got kind \"{kind}\"); send JSON instead");
        var obj = DecodeMessage(new Reader(raw, 0, raw.Length), kind);
        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        foreach (var (k, v) in obj.ToList())
        {
            obj.Remove(k);
            result[k] = v;
        }
        return result;
    }

    private static JsonObject DecodeMessage(Reader r, string message)
    {
        var fields = Messages[message];
        var obj = new JsonObject();
        while (r.More)
        {
            var (num, wire) = r.Tag();
            if (!fields.TryGetValue(num, out var f))
            {
                r.Skip(wire);
                continue;
            }
            switch (f.Kind)
            {
                case F.String: obj[f.Name] = r.String(); break;
                case F.Bytes: obj[f.Name] = Convert.ToBase64String(r.Bytes()); break;
                case F.Int64: obj[f.Name] = (long)r.Varint(); break;
                case F.Bool: obj[f.Name] = r.Varint() != 0; break;
                case F.Time: obj[f.Name] = Time(r.Sub()); break;
                case F.Message: obj[f.Name] = DecodeMessage(r.Sub(), f.Message!); break;
                case F.RepeatedString: Array(obj, f.Name).Add((JsonNode?)r.String()); break;
                case F.RepeatedMessage: Array(obj, f.Name).Add((JsonNode?)DecodeMessage(r.Sub(), f.Message!)); break;
                case F.MapString or F.MapBytes:
                    {
                        var entry = r.Sub();
                        string key = "", value = "";
                        while (entry.More)
                        {
                            var (n, w) = entry.Tag();
                            if (n == 1) key = entry.String();
                            else if (n == 2) value = f.Kind == F.MapString ? entry.String() : Convert.ToBase64String(entry.Bytes());
                            else entry.Skip(w);
                        }
                        if (obj[f.Name] is not JsonObject map) obj[f.Name] = map = new JsonObject();
                        map[key] = value;
                        break;
                    }
            }
        }
        return obj;
    }

    private static JsonArray Array(JsonObject obj, string name)
    {
        if (obj[name] is JsonArray a) return a;
        var created = new JsonArray();
        obj[name] = created;
        return created;
    }

    private static string Time(Reader r)
    {
        long seconds = 0;
        while (r.More)
        {
            var (n, w) = r.Tag();
            if (n == 1) seconds = (long)r.Varint();
            else r.Skip(w);
        }
        return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class Reader(byte[] data, int position, int end)
    {
        private int _pos = position;

        public bool More => _pos < end;

        public (int Number, int Wire) Tag()
        {
            var tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= end) throw KubeApiException.BadRequest("truncated protobuf body");
                var b = data[_pos++];
                result |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return result;
            }
            throw KubeApiException.BadRequest("malformed protobuf varint");
        }

        public byte[] Bytes()
        {
            var len = (int)Varint();
            if (len < 0 || _pos + len > end) throw KubeApiException.BadRequest("truncated protobuf body");
            var bytes = data.AsSpan(_pos, len).ToArray();
            _pos += len;
            return bytes;
        }

        public string String() => Encoding.UTF8.GetString(Bytes());

        public Reader Sub()
        {
            var len = (int)Varint();
            if (len < 0 || _pos + len > end) throw KubeApiException.BadRequest("truncated protobuf body");
            var sub = new Reader(data, _pos, _pos + len);
            _pos += len;
            return sub;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _pos += 8; break;
                case 2: Bytes(); break;
                case 5: _pos += 4; break;
                default: throw KubeApiException.BadRequest($"unsupported protobuf wire type {wire}");
            }
        }
    }
}
