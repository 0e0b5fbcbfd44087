using Modelhost.Server.Grpc;

namespace Modelhost.Server.Configuration;

/// <summary>The <c>grpc</c> section of the server's settings.</summary>
public static partial class ServerConfigFile
{
    private static readonly string[] GrpcKeys = ["urls", "max_receive_message_bytes", "max_send_message_bytes"];

    private static void ReadGrpc(ConfigNode node, GrpcOptions grpc)
    {
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "urls":
                    // Empty turns the endpoint off.
                    grpc.Urls = value.HasChildren ? throw value.Error("expected URLs separated by ';', or an empty string to turn gRPC off") : value.Value ?? string.Empty;
                    CheckUrls(value, grpc.UrlList());
                    break;
                case "max_receive_message_bytes":
                    grpc.MaxReceiveMessageBytes = (int)Number(value, 1024, int.MaxValue);
                    break;
                case "max_send_message_bytes":
                    grpc.MaxSendMessageBytes = (int)Number(value, 1024, int.MaxValue);
                    break;
                default:
                    throw Unknown(value, GrpcKeys);
            }
        }
    }
}
