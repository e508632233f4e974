package io.feitian.common.app;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A user's class, loaded from the user's jars in a class loader of its own
 * whose parent has Feitian's API (so the user's code sees the SDK interface
 * it implements, and its own classes), made into fresh instances on demand.
 * Errors name the description field that listed the jars.
 */
public final class UserCode<T> implements AutoCloseable {
  private final URLClassLoader loader;
  private final Class<? extends T> type;

  private UserCode(URLClassLoader loader, Class<? extends T> type) {
    this.loader = loader;
    this.type = type;
  }

  /** Loads {@code className}, which must implement {@code api} and have a public no-argument constructor. */
  public static <T> UserCode<T> load(String jarsField, List<String> jars, String className, Class<T> api)
      throws IOException {
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      Path jar = Path.of(jars.get(i));
      if (!Files.isReadable(jar)) {
        throw new IOException(jarsField + "[" + i + "] " + jar + " is not readable on this node");
      }
      try {
        urls[i] = jar.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IOException(jarsField + "[" + i + "] " + jar + ": " + e.getMessage(), e);
      }
    }
    URLClassLoader loader = new URLClassLoader(urls, api.getClassLoader());
    try {
      Class<?> c = Class.forName(className, true, loader);
      if (!api.isAssignableFrom(c)) {
        throw new IOException(className + " does not implement " + api.getName());
      }
      Class<? extends T> type = c.asSubclass(api);
      type.getConstructor();
      return new UserCode<>(loader, type);
    } catch (ClassNotFoundException e) {
      loader.close();
      throw new IOException("class " + className + " is not in " + jars, e);
    } catch (NoSuchMethodException e) {
      loader.close();
      throw new IOException(className + " needs a public no-argument constructor", e);
    } catch (IOException e) {
      loader.close();
      throw e;
    }
  }

  public T create() throws ReflectiveOperationException {
    return type.getConstructor().newInstance();
  }

  @Override
  public void close() throws IOException {
    loader.close();
  }
}
