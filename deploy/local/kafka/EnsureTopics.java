import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Waits until a broker answers, then creates the Sluice topics that are missing.
 *
 * <p>Run with the broker's own classpath by deploy/local/kafka.sh (single-file source launch), so the
 * local stack needs nothing but the cached broker jars. One JVM does the waiting and all the creates;
 * a TopicCommand per topic would cost a JVM start each.
 *
 * <p>Usage: {@code EnsureTopics <bootstrap> <wait-seconds> <name>:<partitions>[:<key>=<value>,...] ...}
 */
public final class EnsureTopics {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: EnsureTopics <bootstrap> <wait-seconds> <name>:<partitions>[:k=v,...] ...");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    Instant deadline = Instant.now().plusSeconds(Long.parseLong(args[1]));
    try (Admin admin = Admin.create(props)) {
      awaitBroker(admin, deadline);
      List<NewTopic> topics = new ArrayList<>();
      for (int i = 2; i < args.length; i++) {
        topics.add(parse(args[i]));
      }
      for (var entry : admin.createTopics(topics).values().entrySet()) {
        try {
          entry.getValue().get();
          System.out.println("created topic " + entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          System.out.println("topic exists " + entry.getKey());
        }
      }
    }
  }

  private static void awaitBroker(Admin admin, Instant deadline) throws InterruptedException {
    while (true) {
      try {
        admin.describeCluster().nodes().get();
        return;
      } catch (ExecutionException e) {
        if (Instant.now().isAfter(deadline)) {
          System.err.println("broker not ready before deadline: " + e.getCause());
          System.exit(1);
        }
        Thread.sleep(250);
      }
    }
  }

  private static NewTopic parse(String spec) {
    String[] parts = spec.split(":", 3);
    NewTopic topic = new NewTopic(parts[0], Integer.parseInt(parts[1]), (short) 1);
    if (parts.length == 3 && !parts[2].isEmpty()) {
      Map<String, String> configs = new HashMap<>();
      for (String kv : parts[2].split(",")) {
        String[] pair = kv.split("=", 2);
        configs.put(pair[0], pair[1]);
      }
      topic.configs(configs);
    }
    return topic;
  }
}
