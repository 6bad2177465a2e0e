package org.ldmfiji.cli;

import org.ldmfiji.diffusion.StepListener;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP while {@code ./ldm} runs. The JVM answers these by running its shutdown hooks and
 * exiting, and a process that exits while a TorchScript forward runs on the main thread ends in SIGSEGV inside
 * libtorch_cpu (libtorch's static objects are destroyed under the running forward) with an hs_err file in the working
 * folder (issue 16: 4 of 18 tries). So the shutdown hook installed here only asks the command to stop and waits until it
 * has: the command sees the request between two denoising steps ({@link #check}, called from the CLI's progress and step
 * listeners), throws {@link CancellationException}, closes its bundle and native arrays on the way out (try-with-resources,
 * in order), {@link Main} prints {@code ldm: cancelled, nothing written} (outputs are written only after the last step),
 * and the JVM exits with 128 + the signal (130 for Ctrl-C). The wait is bounded, so that a command stuck in native code
 * cannot keep the process alive: twice the longest step seen so far, plus {@link #MARGIN_SECONDS} for the stages between
 * steps (loading, encoding, decoding).
 */
final class Interruption {

	/** Seconds beyond two of the longest steps that the hook waits for the command to stop. */
	static final long MARGIN_SECONDS = 30;

	/** A step listener that only lets a request to stop through. */
	static final StepListener STEPS = new StepListener() {
		@Override
		public void stepDone(int done, int total) {
			Interruption.stepDone();
		}

		@Override
		public void checkCancelled() {
			check();
		}
	};

	private static volatile boolean requested;
	private static final CountDownLatch ended = new CountDownLatch(1);
	private static volatile long longestStepNanos, lastStepNanos = System.nanoTime();

	private Interruption() {}

	/** Installs the shutdown hook; once per process, before the command starts. */
	static void install() {
		Runtime.getRuntime().addShutdownHook(new Thread(Interruption::stopAndWait, "ldm-interruption"));
	}

	/** Whether the process was asked to stop (the JVM is then shutting down). */
	static boolean requested() {
		return requested;
	}

	/** Throws {@link CancellationException} if the process was asked to stop. */
	static void check() {
		if (requested) throw new CancellationException("interrupted");
	}

	/** Called after every denoising step: records its duration (for the hook's bound), then {@link #check}s. */
	static void stepDone() {
		long now = System.nanoTime();
		longestStepNanos = Math.max(longestStepNanos, now - lastStepNanos);
		lastStepNanos = now;
		check();
	}

	/** The command has returned or thrown, its native resources closed: the hook may let the JVM exit. */
	static void commandEnded() {
		ended.countDown();
	}

	private static void stopAndWait() {
		requested = true;
		try {
			ended.await(2 * longestStepNanos + TimeUnit.SECONDS.toNanos(MARGIN_SECONDS), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
