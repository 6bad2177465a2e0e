package org.ldmfiji.ij1;

import org.ldmfiji.model.BundleException;

import java.util.concurrent.CancellationException;

/** One line for any failure of a command: the problem and the fix, for the error dialog, the Log and macros. */
final class Ij1Errors {

	private Ij1Errors() {}

	/** Whether the failure is a bug rather than something the user can fix (its stack trace is worth printing). */
	static boolean isUnexpected(Throwable e) {
		return !(e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof BundleException
			|| e instanceof CancellationException || e instanceof LinkageError || e instanceof OutOfMemoryError);
	}

	static String message(Throwable e) {
		String text;
		if (e instanceof NoClassDefFoundError) {
			text = "a library the plugin needs is missing (class " + String.valueOf(e.getMessage()).replace('/', '.')
				+ " not found): install Latent Diffusion from its update site again (Help > Update...), or report it";
		}
		else if (e instanceof UnsatisfiedLinkError) {
			text = "the native PyTorch library could not be loaded (" + e.getMessage() + "): install Latent Diffusion "
				+ "from its update site again (Help > Update...) and see README, 'Native PyTorch'";
		}
		else if (e instanceof LinkageError) {
			text = "a library conflicts with the plugin (" + e + "): install Latent Diffusion from its update site "
				+ "again (Help > Update...), or report it";
		}
		else if (e instanceof OutOfMemoryError) {
			text = "out of memory (" + e.getMessage() + "): process a crop or fewer planes, or give ImageJ more memory "
				+ "(Edit > Options > Memory & Threads)";
		}
		else if (isUnexpected(e)) {
			text = "unexpected " + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
				+ " (a bug: please report it with the stack trace printed on the console)";
		}
		else text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
		return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
	}
}
