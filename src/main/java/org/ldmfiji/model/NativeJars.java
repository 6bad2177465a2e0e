package org.ldmfiji.model;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Makes the update site's native PyTorch jar visible to DJL in a plain ImageJ 1.x. The site installs it as
 * {@code jars/<platform>/pytorch-native-cpu-*.jar} (the updater's platform folders); Fiji's launcher puts that folder
 * on the class path, but ImageJ 1.x's own class loader ({@code ij.io.PluginClassLoader}) adds only the jars directly
 * in {@code plugins/}, its subfolders and {@code jars/}. DJL looks for {@code native/lib/pytorch.properties} on the
 * context class loader and, not finding it, would download libtorch (or fail offline). So, when the plugin's loader
 * does not see a native jar, the engine starts with a loader that adds the {@code pytorch-native-*.jar} files of the
 * platform folders next to the {@code pytorch-jni} jar (DJL itself ignores any jar of another platform).
 */
final class NativeJars {

	static final String NATIVE_PROPERTIES = "native/lib/pytorch.properties";
	static final String JNI_PROPERTIES = "jnilib/pytorch.properties";

	private NativeJars() {}

	/** The context class loader to start DJL's engine with: {@code plugin} itself, or a child adding native jars. */
	static ClassLoader engineLoader(ClassLoader plugin) {
		if (plugin.getResource(NATIVE_PROPERTIES) != null) return plugin;
		List<Path> jars = besideJni(plugin.getResource(JNI_PROPERTIES));
		if (jars.isEmpty()) return plugin;
		URL[] urls = new URL[jars.size()];
		for (int i = 0; i < urls.length; i++) {
			try {
				urls[i] = jars.get(i).toUri().toURL();
			}
			catch (MalformedURLException e) {
				return plugin;
			}
		}
		return new URLClassLoader(urls, plugin);
	}

	/** Whether {@code loader} shows DJL a CPU native jar ({@code flavor=cpu} in its {@code pytorch.properties}). */
	static boolean cpuJarVisible(ClassLoader loader) {
		try {
			java.util.Enumeration<URL> urls = loader.getResources(NATIVE_PROPERTIES);
			while (urls.hasMoreElements()) {
				java.util.Properties p = new java.util.Properties();
				try (java.io.InputStream in = urls.nextElement().openStream()) {
					p.load(in);
				}
				if (p.getProperty("placeholder") == null && p.getProperty("flavor", "").startsWith("cpu")) return true;
			}
		}
		catch (IOException e) {
			return false;
		}
		return false;
	}

	/** The {@code pytorch-native-*.jar} files in the subfolders of the folder holding the jar of {@code jniResource}. */
	static List<Path> besideJni(URL jniResource) {
		if (jniResource == null || !"jar".equals(jniResource.getProtocol())) return List.of();
		Path jarsFolder;
		try {
			URLConnection c = jniResource.openConnection();
			if (!(c instanceof JarURLConnection)) return List.of();
			URL jar = ((JarURLConnection) c).getJarFileURL();
			if (!"file".equals(jar.getProtocol())) return List.of();
			jarsFolder = Paths.get(jar.toURI()).getParent();
		}
		catch (IOException | java.net.URISyntaxException | IllegalArgumentException e) {
			return List.of();
		}
		if (jarsFolder == null) return List.of();
		try (Stream<Path> platforms = Files.list(jarsFolder)) {
			return platforms.filter(Files::isDirectory).sorted().flatMap(NativeJars::nativeJarsIn).collect(Collectors.toList());
		}
		catch (IOException e) {
			return List.of();
		}
	}

	private static Stream<Path> nativeJarsIn(Path folder) {
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter(f -> f.getFileName().toString().startsWith("pytorch-native-")
				&& f.getFileName().toString().endsWith(".jar")).sorted().collect(Collectors.toList()).stream();
		}
		catch (IOException e) {
			return Stream.empty();
		}
	}
}
