import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds fields that the Kubernetes API does not define in built-in objects (a misspelt
 * {@code readinesProbe}, a field at the wrong level), which the API server would reject under strict
 * field validation and which the npm kubernetes-models validators let through.
 *
 * <p>Each object is read into the typed Kubernetes model of the Fabric8 client (the
 * {@code io.fabric8:kubernetes-model-*} jars, generated from the Kubernetes OpenAPI definitions); a
 * field without a typed property lands in that model's {@code additionalProperties}, which is what
 * this reports. Custom resources (Strimzi, CloudNativePG, KEDA) are left to their CRD schemas.
 *
 * <p>Usage: {@code java -cp <fabric8 + jackson> UnknownFields.java FILE...}; prints one line per
 * finding, {@code <file>\t<Kind>/<name>\t<path>}, and exits 0 (the caller decides).
 */
public class UnknownFields {
  public static void main(String[] args) throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    KubernetesSerialization serialization = new KubernetesSerialization();
    for (String file : args) {
      try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(new File(file))) {
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          if (doc == null || doc.isNull() || !doc.has("kind")) {
            continue;
          }
          KubernetesResource resource;
          try {
            resource = serialization.convertValue(doc, KubernetesResource.class);
          } catch (RuntimeException e) {
            // Type errors are the schema validators' business; this only looks for unknown fields.
            continue;
          }
          if (resource == null || resource instanceof GenericKubernetesResource
              || !resource.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            continue;
          }
          String id = doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
          List<String> found = new ArrayList<>();
          walk(resource, "", found, new IdentityHashMap<>());
          for (String path : found) {
            System.out.println(file + "\t" + id + "\t" + path);
          }
        }
      }
    }
  }

  private static void walk(Object node, String path, List<String> found, IdentityHashMap<Object, Boolean> seen) {
    if (node == null || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    if (node instanceof Collection<?> c) {
      int i = 0;
      for (Object o : c) {
        walk(o, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), found, seen);
      }
      return;
    }
    Class<?> type = node.getClass();
    if (!type.getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : type.getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      String name = getter.getName();
      try {
        if (name.equals("getAdditionalProperties")) {
          Object extra = getter.invoke(node);
          if (extra instanceof Map<?, ?> m) {
            for (Object key : m.keySet()) {
              found.add(path + "." + key);
            }
          }
        } else if (name.startsWith("get") && name.length() > 3) {
          String field = Character.toLowerCase(name.charAt(3)) + name.substring(4);
          walk(getter.invoke(node), path + "." + field, found, seen);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + type.getName() + "." + name, e);
      }
    }
  }
}
