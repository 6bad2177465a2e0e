package org.ldmfiji.ij1;

import ij.IJ;
import ij.Menus;

import java.awt.GraphicsEnvironment;
import java.awt.HeadlessException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * Makes {@code run("LDM Inpaint...", ...)} work in a headless ImageJ 1.x (plain ij.jar, {@code
 * -Djava.awt.headless=true}), where ImageJ cannot build its menus and so never reads any plugins.config: in a
 * headless JVM {@code Menus} creates its command table and then fails on the first AWT menu, leaving the table
 * empty. {@link #register()} provokes that once, then enters this plugin's plugins.config lines into the table with
 * {@link Menus#add}, which stores the command before it, too, fails to build the AWT menu item. {@code IJ.run}, and
 * with it the macro function {@code run}, looks commands up in that table only.
 * <p>
 * From a headless macro: {@code call("org.ldmfiji.ij1.HeadlessMenus.register");} before the first {@code run(...)}.
 * With a display (normal ImageJ) there is nothing to do: ImageJ reads plugins.config from the plugin jar itself, and
 * the call returns "0". A headless ImageJ 1.x makes no plugin class loader either (it needs the menus), so it finds
 * neither this class nor the commands' unless the plugin's jars are on the class path: {@code java
 * -Djava.awt.headless=true -cp "ij.jar:plugins/*:jars/*" ij.ImageJ -batch macro.ijm} (README, InstallIT).
 */
public final class HeadlessMenus {

	private HeadlessMenus() {}

	/**
	 * Registers the {@code org.ldmfiji} lines of every plugins.config on the class path (the plugin jar's); with a
	 * display nothing (ImageJ has read them), so that one macro runs headless and in ImageJ with a display alike.
	 *
	 * @return the number of commands registered, as a string (for the macro function {@code call}): "0" with a display
	 */
	public static synchronized String register() {
		if (!GraphicsEnvironment.isHeadless()) return "0";
		List<String> lines = new ArrayList<>();
		try {
			Enumeration<URL> configs = HeadlessMenus.class.getClassLoader().getResources("plugins.config");
			while (configs.hasMoreElements()) {
				try (InputStream in = configs.nextElement().openStream()) {
					lines.addAll(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().collect(java.util.stream.Collectors.toList()));
				}
			}
		}
		catch (IOException e) {
			throw new IllegalStateException("cannot read plugins.config from the class path: " + e.getMessage(), e);
		}
		int n = register(lines);
		if (n == 0) throw new IllegalStateException("no plugins.config with org.ldmfiji commands on the class path: put "
			+ "the Latent Diffusion plugin jar on it (or call register(path) with the repository's plugins.config)");
		return Integer.toString(n);
	}

	/** Registers the {@code org.ldmfiji} lines of the given plugins.config file. */
	public static synchronized int register(Path pluginsConfig) throws IOException {
		return register(Files.readAllLines(pluginsConfig, StandardCharsets.UTF_8));
	}

	/** Registers plugins.config lines ({@code Menu>Sub, "Label", class.Name("arg")}) that name org.ldmfiji classes. */
	static int register(List<String> lines) {
		boolean headless = GraphicsEnvironment.isHeadless();
		if (headless) createCommandTable();
		int n = 0;
		for (String line : lines) {
			String[] entry = parse(line);
			if (entry == null || !entry[2].startsWith("org.ldmfiji.")) continue;
			if (!headless) continue; // ImageJ with a display reads plugins.config itself
			try {
				Menus.add(entry[0] + ">" + entry[1], entry[2]);
			}
			catch (HeadlessException expected) {
				// the command is in the table; only its AWT menu item could not be made
			}
			if (!entry[2].equals(Menus.getCommands().get(entry[1]))) throw new IllegalStateException("ImageJ did not "
				+ "register '" + entry[1] + "' (this ImageJ version's Menus.add works differently)");
			n++;
		}
		return n;
	}

	/** [menu path, label, class with optional ("arg")] of one plugins.config line; null for comments and blanks. */
	static String[] parse(String line) {
		String s = line.trim();
		if (s.isEmpty() || s.startsWith("#")) return null;
		int q1 = s.indexOf('"'), q2 = s.indexOf('"', q1 + 1);
		if (q1 < 0 || q2 < 0) return null;
		String menu = s.substring(0, q1).trim();
		if (menu.endsWith(",")) menu = menu.substring(0, menu.length() - 1).trim();
		String rest = s.substring(q2 + 1).trim();
		if (rest.startsWith(",")) rest = rest.substring(1).trim();
		return new String[] {menu, s.substring(q1 + 1, q2), rest};
	}

	/** Lets headless ImageJ create its (empty) command table: its menu building fails after that. */
	private static void createCommandTable() {
		if (Menus.getCommands() != null) return;
		try {
			IJ.run("LDM: create the ImageJ 1.x command table");
		}
		catch (HeadlessException expected) {
			// Menus.addMenuBar() made the table, then failed on its first AWT menu
		}
		if (Menus.getCommands() == null) throw new IllegalStateException("this ImageJ 1.x (" + IJ.getVersion()
			+ ") made no command table in a headless JVM; run ImageJ with a display (or Xvfb) instead");
	}
}
