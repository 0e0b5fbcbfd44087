using System.Collections;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Modelhost.Server.Json;

/// <summary>
/// A protobuf message as Triton writes a model configuration over HTTP (<c>GET /v2/models/{m}/config</c>): the proto's
/// field names, enum values by name, 64-bit integers as JSON numbers (protobuf's own JSON mapping writes them as
/// strings, which clients that index <c>dims</c> do not expect), every singular scalar even at its default (so that
/// <c>config["max_batch_size"]</c> is there when it is 0), and sub-messages and oneof members only when set.
/// </summary>
internal static class ProtobufJson
{
    public static void Write(Utf8JsonWriter w, IMessage message)
    {
        w.WriteStartObject();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                w.WriteStartObject(field.Name);
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    w.WritePropertyName(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!);
                    WriteValue(w, field.MessageType.FindFieldByNumber(2), entry.Value!);
                }

                w.WriteEndObject();
            }
            else if (field.IsRepeated)
            {
                w.WriteStartArray(field.Name);
                foreach (var item in (IList)value)
                {
                    WriteValue(w, field, item);
                }

                w.WriteEndArray();
            }
            else if (field.RealContainingOneof is null ? field.FieldType != FieldType.Message || value is not null : field.Accessor.HasValue(message))
            {
                w.WritePropertyName(field.Name);
                WriteValue(w, field, value);
            }
        }

        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, FieldDescriptor field, object value)
    {
        switch (field.FieldType)
        {
            case FieldType.Bool:
                w.WriteBooleanValue((bool)value);
                break;
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                w.WriteNumberValue((int)value);
                break;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                w.WriteNumberValue((long)value);
                break;
            case FieldType.UInt32 or FieldType.Fixed32:
                w.WriteNumberValue((uint)value);
                break;
            case FieldType.UInt64 or FieldType.Fixed64:
                w.WriteNumberValue((ulong)value);
                break;
            case FieldType.Float:
                w.WriteNumberValue((float)value);
                break;
            case FieldType.Double:
                w.WriteNumberValue((double)value);
                break;
            case FieldType.String:
                w.WriteStringValue((string)value);
                break;
            case FieldType.Bytes:
                w.WriteBase64StringValue(((ByteString)value).Span);
                break;
            case FieldType.Enum:
                var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                if (field.EnumType.FindValueByNumber(number) is { } named)
                {
                    w.WriteStringValue(named.Name);
                }
                else
                {
                    w.WriteNumberValue(number);
                }

                break;
            default:
                Write(w, (IMessage)value);
                break;
        }
    }
}
