package io.feitian.job.worker;

import io.feitian.job.api.TaskProcessor;
import io.feitian.proto.job.v1.ThreadMode;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a thread-mode task's TaskProcessor from its jars, once per worker,
 * and makes a fresh processor for every attempt. The jars get their own
 * class loader whose parent has Feitian's API, so user code sees
 * io.feitian.job.api and its own classes.
 */
final class Processors implements AutoCloseable {
  private final URLClassLoader loader;
  private final Class<? extends TaskProcessor> type;

  Processors(ThreadMode program) throws IOException {
    URL[] urls = new URL[program.getJarsCount()];
    for (int i = 0; i < urls.length; i++) {
      Path jar = Path.of(program.getJars(i));
      if (!Files.isReadable(jar)) {
        throw new IOException("program.thread.jars[" + i + "] " + jar + " is not readable on this node");
      }
      try {
        urls[i] = jar.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IOException("program.thread.jars[" + i + "] " + jar + ": " + e.getMessage(), e);
      }
    }
    loader = new URLClassLoader(urls, TaskProcessor.class.getClassLoader());
    try {
      Class<?> c = Class.forName(program.getProcessorClass(), true, loader);
      if (!TaskProcessor.class.isAssignableFrom(c)) {
        throw new IOException(program.getProcessorClass() + " does not implement " + TaskProcessor.class.getName());
      }
      type = c.asSubclass(TaskProcessor.class);
      type.getConstructor();
    } catch (ClassNotFoundException e) {
      throw new IOException("class " + program.getProcessorClass() + " is not in " + program.getJarsList(), e);
    } catch (NoSuchMethodException e) {
      throw new IOException(program.getProcessorClass() + " needs a public no-argument constructor", e);
    }
  }

  TaskProcessor create() throws ReflectiveOperationException {
    return type.getConstructor().newInstance();
  }

  @Override
  public void close() throws IOException {
    loader.close();
  }
}
