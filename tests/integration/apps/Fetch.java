// Prints the body of GET <url>, with Java's own clients and no proxy or TLS code: what
// `pretenders run` sets (JAVA_TOOL_OPTIONS: proxy properties and a truststore) must do it all.
//   java Fetch.java httpclient|urlconnection <url>
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.net.ssl.HttpsURLConnection;

public class Fetch {
    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[1]);
        if (args[0].equals("httpclient")) {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(url).build();
            System.out.println(client.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } else {
            HttpsURLConnection connection = (HttpsURLConnection) url.toURL().openConnection();
            System.out.println(new String(connection.getInputStream().readAllBytes(), "UTF-8"));
        }
    }
}
