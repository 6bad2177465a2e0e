package org.ldmfiji.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.macro.Interpreter;

import org.ldmfiji.model.BundleException;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.SamplingSettings;
import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** What the ImageJ 1.x entry points share: the active image, the ImageJ folder, error reporting, showing results. */
final class Ij1Plugins {

	private Ij1Plugins() {}

	/** The sampler, steps, seed, prompts and guidance of a dialog built with the option table's options. */
	static SamplingSettings sampling(PluginDialog d) {
		return new SamplingSettings(SamplingSettings.SamplerKind.parse(d.string(OptionTable.SAMPLER)),
			d.integer(OptionTable.STEPS), d.longValue(OptionTable.SEED), 0).withText(d.string(OptionTable.PROMPT),
				d.string(OptionTable.NEGATIVE_PROMPT), d.number(OptionTable.GUIDANCE));
	}

	/** The active image; an error (stopping a macro) when there is none. */
	static ImagePlus activeImage(String title) {
		ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) throw new IllegalArgumentException("no image is open: open or select the image first");
		return imp;
	}

	/**
	 * The ImageJ folder (ImageJ 1.x knows it without any system property: the folder of ij.jar, or the working
	 * directory), so that bundles installed by the update site in {@code <ImageJ>/models/ldm/} are found.
	 */
	static List<Path> appFolders() {
		String dir = IJ.getDirectory("imagej");
		return dir == null ? List.of() : List.of(Paths.get(dir));
	}

	/**
	 * Runs a plugin body so that no failure vanishes: ImageJ 1.x itself silently drops a NoClassDefFoundError of a
	 * plugin without an underscore in its class name, and prints other exceptions only where no one may look
	 * (batch mode), letting the macro go on. Every failure becomes one line naming the problem and the fix
	 * ({@link Ij1Errors#message}); see {@link #fail} for where it goes.
	 */
	static void guarded(String title, Runnable body) {
		try {
			body.run();
		}
		catch (RuntimeException e) {
			if (Macro.MACRO_CANCELED.equals(e.getMessage())) throw e; // ImageJ's own abort, already reported
			fail(title, e);
		}
		catch (ThreadDeath e) {
			throw e; // ImageJ stopping a macro thread
		}
		catch (Error e) {
			fail(title, e);
		}
	}

	/**
	 * Tells the user and stops the macro that ran the command, as ImageJ's own commands do ({@code IJ.error}):
	 * with an ImageJ window, an error dialog (in a macro, ImageJ's "Macro Error" dialog with this message and the
	 * line); without one ({@code ImageJ -batch}, headless) no dialog, which no one could close, but the Log (or the
	 * console). A macro is stopped in both cases, so that it cannot go on (and, say, save the untouched source as
	 * if it were the result).
	 */
	private static void fail(String title, Throwable e) {
		String message = Ij1Errors.message(e);
		if (Ij1Errors.isUnexpected(e)) e.printStackTrace(); // a bug: the trace for the report, on the console
		IJ.showProgress(1.0);
		IJ.showStatus(title + ": " + message);
		Interpreter macro = macroRunningThisCommand();
		boolean window = !GraphicsEnvironment.isHeadless() && IJ.getInstance() != null;
		if (macro != null || !window) IJ.log(title + ": " + message);
		if (window && !(e instanceof java.util.concurrent.CancellationException)) IJ.error(title, message); // may stop the macro itself
		if (macro != null) stop(macro);
	}

	/** The macro whose {@code run(...)} called this command, or null (menu, script, plain Java). */
	private static Interpreter macroRunningThisCommand() {
		// IJ.run names its thread "Run$_..." for the duration of a command (what Macro.getOptions relies on)
		if (!Thread.currentThread().getName().startsWith("Run$_")) return null;
		return Interpreter.getInstance();
	}

	/**
	 * Stops a macro without ImageJ's modal "Macro Error" dialog (under {@code ImageJ -batch} there is no window to
	 * show it in, and the run would wait for it forever): the interpreter is marked done, so it executes no further
	 * statement, and {@code Macro.MACRO_CANCELED} unwinds the command (ImageJ's Executer drops it silently).
	 */
	private static void stop(Interpreter macro) {
		macro.setIgnoreErrors(true);
		macro.abort("stopped by an error");
		throw new RuntimeException(Macro.MACRO_CANCELED);
	}

	static void show(ImagePlus imp) {
		if (imp != null) imp.show();
	}
}
