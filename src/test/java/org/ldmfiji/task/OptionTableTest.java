package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.imagej.SampleImage;
import org.junit.jupiter.api.Test;
import org.scijava.plugin.Parameter;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The option table is the one source of every option's default and range: the SciJava commands, the ImageJ 1.x
 * dialogs, the CLI and the README agree with it, and every entry point refuses the same bad values.
 */
class OptionTableTest {

	private static final Map<String, List<Option>> SCIJAVA = Map.of(
		"org.ldmfiji.command.InpaintCommand", OptionTable.INPAINT,
		"org.ldmfiji.command.SuperResolutionCommand", OptionTable.SUPER_RESOLUTION,
		"org.ldmfiji.command.LargeImageSamplingCommand", OptionTable.SAMPLE);

	private static final Map<String, List<Option>> IJ1 = Map.of(
		"org.ldmfiji.ij1.InpaintPlugin", OptionTable.INPAINT,
		"org.ldmfiji.ij1.SuperResolutionPlugin", OptionTable.SUPER_RESOLUTION,
		"org.ldmfiji.ij1.LargeImageSamplingPlugin", OptionTable.SAMPLE);

	@Test
	void sciJavaCommandsDeclareTheTablesDefaultsRangesAndChoices() throws Exception {
		for (Map.Entry<String, List<Option>> e : SCIJAVA.entrySet()) {
			Class<?> type = Class.forName(e.getKey());
			Object command = type.getDeclaredConstructor().newInstance();
			for (Option o : e.getValue()) {
				Field f = field(type, o.key);
				assertNotNull(f, e.getKey() + " has no parameter '" + o.key + "'");
				f.setAccessible(true);
				Parameter p = f.getAnnotation(Parameter.class);
				String where = e.getKey() + "." + o.key;
				assertEquals(o.defaultAsText(), asText(o, f.get(command)), where + ": default");
				if (o.kind == Option.Kind.INTEGER || o.kind == Option.Kind.NUMBER) {
					assertEquals(o.min, Double.parseDouble(p.min()), where + ": min");
					assertEquals(o.max, Double.parseDouble(p.max()), where + ": max");
				}
				if (o.kind == Option.Kind.CHOICE) assertEquals(o.choices, Arrays.asList(p.choices()), where + ": choices");
			}
		}
	}

	@Test
	void imageJ1DialogsShowTheTablesDefaults() throws Exception {
		for (Map.Entry<String, List<Option>> e : IJ1.entrySet()) {
			Method dialog = Class.forName(e.getKey()).getDeclaredMethod("dialog");
			dialog.setAccessible(true);
			Object d = dialog.invoke(null);
			Method fallback = d.getClass().getDeclaredMethod("fallback", String.class);
			fallback.setAccessible(true);
			for (Option o : e.getValue()) {
				Object v = fallback.invoke(d, o.key);
				assertNotNull(v, e.getKey() + " has no field '" + o.key + "'");
				assertEquals(o.defaultAsText(), asText(o, v), e.getKey() + "." + o.key + ": default");
			}
		}
	}

	/**
	 * The CLI's defaults: each command built with only its required arguments gives its job the table's default of
	 * every option it takes (the task's options and the run settings: model, sampler, steps, seed, eta, device).
	 */
	@Test
	void cliCommandsRunWithTheTablesDefaults() throws Exception {
		Map<String, List<String>> required = Map.of(
			"InpaintCommand", List.of("--input", "none.tif", "--mask", "none.tif", "--output", "none.tif"),
			"SuperResCommand", List.of("--input", "none.tif", "--output", "none.tif"),
			"SampleCommand", List.of("--output", "none.tif"));
		// what the CLI does not take as an option: the mask is a file; it writes every plane into a new file
		Map<String, List<Option>> options = Map.of(
			"InpaintCommand", without(OptionTable.INPAINT, OptionTable.MASK, OptionTable.STACK, OptionTable.INPLACE),
			"SuperResCommand", without(OptionTable.SUPER_RESOLUTION, OptionTable.CURRENT),
			"SampleCommand", plus(OptionTable.SAMPLE, OptionTable.BATCH));
		Class<?> runType = Class.forName("org.ldmfiji.cli.RunSettings"), optionsType = Class.forName("org.ldmfiji.cli.Options");
		int checked = 0;
		for (Map.Entry<String, List<String>> e : required.entrySet()) {
			Class<?> type = Class.forName("org.ldmfiji.cli." + e.getKey());
			var make = type.getDeclaredConstructor(List.class);
			make.setAccessible(true);
			Object command = make.newInstance(e.getValue());
			Field opts = field(type, "options");
			opts.setAccessible(true);
			var makeRun = runType.getDeclaredConstructor(optionsType, int.class);
			makeRun.setAccessible(true);
			Object run = makeRun.newInstance(opts.get(command), 0);
			Method taskOptions = type.getDeclaredMethod("taskOptions", runType);
			taskOptions.setAccessible(true);
			Object task = taskOptions.invoke(command, run);
			for (Option o : plus(options.get(e.getKey()), OptionTable.ETA, OptionTable.DEVICE)) {
				assertEquals(o.defaultAsText(), asText(o, cliValue(task, run, o.key)), e.getKey() + " --" + o.key + ": default");
				checked++;
			}
		}
		assertTrue(checked >= 40, "checked " + checked + " defaults");
	}

	private static List<Option> without(List<Option> all, Option... left) {
		List<Option> out = new ArrayList<>(all);
		out.removeAll(Arrays.asList(left));
		return out;
	}

	private static List<Option> plus(List<Option> all, Option... more) {
		List<Option> out = new ArrayList<>(all);
		out.addAll(Arrays.asList(more));
		return out;
	}

	/** The value a CLI command gives its job for option {@code key}: a field of the task's options or of the run. */
	private static Object cliValue(Object task, Object run, String key) throws Exception {
		SamplingSettings s = (SamplingSettings) get(task, "sampling");
		switch (key) {
			case "model": return get(run, "model");
			case "device": return get(run, "device").toString().toLowerCase(java.util.Locale.ROOT);
			case "sampler": return s.sampler.id;
			case "steps": return s.steps;
			case "seed": return s.seed;
			case "eta": return s.eta;
			case "prompt": return s.prompt;
			case "negative": return s.negativePrompt;
			case "guidance": return field(task.getClass(), "guidance") != null ? get(task, "guidance") : s.guidance;
			case "seam": return ((Seam) get(task, "seam")).label();
			case "type": return get(task, "bitDepth") + "-bit";
			default:
				assertNotNull(field(task.getClass(), key), task.getClass().getName() + " has no field '" + key + "'");
				return get(task, key);
		}
	}

	private static Object get(Object o, String name) throws IllegalAccessException {
		Field f = field(o.getClass(), name);
		f.setAccessible(true);
		return f.get(o);
	}

	/** The CLI reads its values through the table: out-of-range, NaN and infinite values are refused by name. */
	@Test
	void cliRefusesWhatTheTableRefuses() throws Exception {
		Method run = Class.forName("org.ldmfiji.cli.Main").getDeclaredMethod("run", String[].class, PrintStream.class,
			PrintStream.class);
		run.setAccessible(true);
		Map<String, List<Option>> commands = Map.of("inpaint", OptionTable.INPAINT, "superres",
			OptionTable.SUPER_RESOLUTION, "sample", OptionTable.SAMPLE);
		Map<String, List<String>> required = Map.of(
			"inpaint", List.of("--input", "none.tif", "--mask", "none.tif", "--output", "none.tif"),
			"superres", List.of("--input", "none.tif", "--output", "none.tif"),
			"sample", List.of("--width", "64", "--height", "64", "--output", "none.tif"));
		int checked = 0;
		for (Map.Entry<String, List<Option>> e : commands.entrySet())
			for (Option o : e.getValue()) {
				if (o.kind != Option.Kind.INTEGER && o.kind != Option.Kind.NUMBER) continue;
				double below = o.min - Math.max(1, 2 * Math.ulp(o.min)), above = o.max + Math.max(1, 2 * Math.ulp(o.max));
				for (String bad : new String[] {"NaN", "Infinity", fmt(below), fmt(above)}) {
					List<String> args = new ArrayList<>(List.of(e.getKey()));
					args.addAll(required.get(e.getKey()));
					int i = args.indexOf("--" + o.key);
					if (i >= 0) args.set(i + 1, bad);
					else args.addAll(List.of("--" + o.key, bad));
					ByteArrayOutputStream err = new ByteArrayOutputStream();
					int code = (Integer) run.invoke(null, args.toArray(new String[0]), new PrintStream(
						new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
					String message = err.toString(StandardCharsets.UTF_8);
					assertEquals(2, code, args + ": exit code; stderr " + message);
					assertTrue(message.contains("--" + o.key + " must be"), args + ": message names the option: " + message);
					checked++;
				}
			}
		assertTrue(checked >= 40, "checked " + checked + " bad values");
	}

	/** What a script sets on a task's options directly is checked by the same table. */
	@Test
	void tasksRefuseValuesOutsideTheTable() {
		SampleImage.Options s = new SampleImage.Options();
		s.guidance = Double.NaN;
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SampleImage.run(DemoModel.get(), s,
			Progress.NONE));
		assertTrue(e.getMessage().startsWith("guidance must be a number from 0 to 30, got NaN"), e.getMessage());
		InpaintImage.Options i = new InpaintImage.Options();
		i.strength = -1;
		assertThrows(IllegalArgumentException.class, i::check);
		assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(SamplingSettings.SamplerKind.DDIM, 0, 0, 0));
		assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(SamplingSettings.SamplerKind.DDIM, 10, 0,
			Double.NaN));
	}

	@Test
	void readmeListsTheTable() throws Exception {
		Path readme = Paths.get(System.getProperty("ldm.home", "."), "README.md");
		assertTrue(Files.readString(readme).contains(OptionTable.markdown()), "README.md must contain the option table "
			+ "as OptionTable.markdown() prints it:\n" + OptionTable.markdown());
	}

	private static Field field(Class<?> type, String name) {
		for (Class<?> c = type; c != null; c = c.getSuperclass())
			for (Field f : c.getDeclaredFields()) if (f.getName().equals(name)) return f;
		return null;
	}

	private static String asText(Option o, Object value) {
		if (value instanceof Boolean) return (Boolean) value ? "on" : "off";
		if (value instanceof Number) return fmt(((Number) value).doubleValue());
		return String.valueOf(value);
	}

	private static String fmt(double v) {
		return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
	}
}
