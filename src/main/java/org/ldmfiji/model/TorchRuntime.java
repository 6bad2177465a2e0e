package org.ldmfiji.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;

import java.util.Locale;

/**
 * Start-up of DJL's PyTorch engine in a way that works inside Fiji: DJL finds its engine with
 * {@link java.util.ServiceLoader} on the thread context class loader, so the plugin's own loader is set
 * around the first call (with the update site's native jar added where plain ImageJ 1.x does not see it,
 * {@link NativeJars}). Also picks the device and turns off TorchScript's profiling graph executor,
 * whose first calls on every new input shape are slow (DJL option {@code ai.djl.pytorch.graph_optimizer}).
 */
public final class TorchRuntime {

	/** Which device a run uses. */
	public enum DevicePreference {
		AUTO, CPU, GPU;

		/** Parses "auto", "cpu" or "gpu" (case-insensitive). */
		public static DevicePreference parse(String s) {
			try {
				return valueOf(s.trim().toUpperCase(Locale.ROOT));
			}
			catch (IllegalArgumentException e) {
				throw new IllegalArgumentException("unknown device '" + s + "': use auto, cpu or gpu");
			}
		}
	}

	public static final String ENGINE = "PyTorch";

	/** The system property holding the session's device preference (auto, cpu, gpu); LDM Engine Info sets it. */
	public static final String DEVICE_PROPERTY = "ldm.device";

	private static Engine engine;

	private TorchRuntime() {}

	/**
	 * libtorch's per-convolution NNPACK warning silenced ({@link NativeLogLevel}, through JNA); plain ImageJ 1.x has
	 * no JNA, and there the warning stays rather than the engine failing.
	 */
	private static void quietNativeLog() {
		try {
			NativeLogLevel.apply(LibUtils.getLibtorchPath());
		}
		catch (LinkageError e) {
			// no JNA on the class path
		}
	}

	/** The PyTorch engine, started once with the plugin's class loader as context loader. */
	public static synchronized Engine engine() {
		if (engine != null) return engine;
		setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
		setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
		setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(NativeJars.engineLoader(TorchRuntime.class.getClassLoader()));
		try {
			engine = Engine.getEngine(ENGINE);
			quietNativeLog();
		}
		catch (RuntimeException | UnsatisfiedLinkError e) {
			throw new IllegalStateException("cannot start DJL's PyTorch engine (" + e.getMessage() + "). The native "
				+ "PyTorch library comes from a pytorch-native-cpu jar on the class path or from DJL's cache "
				+ "(~/.djl.ai); offline runs need the jar (see README, 'Native PyTorch').", e);
		}
		finally {
			thread.setContextClassLoader(previous);
		}
		return engine;
	}

	/**
	 * The device for a preference: the first GPU when DJL reports CUDA (for AUTO and GPU), else the CPU.
	 * Asking for a GPU where there is none is an error that says so.
	 */
	public static Device device(DevicePreference preference) {
		int gpus = engine().getGpuCount();
		switch (preference) {
			case CPU:
				return Device.cpu();
			case GPU:
				if (gpus == 0) throw new IllegalStateException("no CUDA GPU is visible to DJL's PyTorch engine "
					+ "(CPU-only native library or no driver): use --device cpu or auto");
				return Device.gpu();
			default:
				return gpus > 0 ? Device.gpu() : Device.cpu();
		}
	}

	/** The session's preference: {@code -Dldm.device=auto|cpu|gpu}, auto when unset. */
	public static DevicePreference preference() {
		return DevicePreference.parse(System.getProperty(DEVICE_PROPERTY, "auto"));
	}

	/** Sets the session's preference (e.g. to force the CPU in Fiji). */
	public static void setPreference(DevicePreference preference) {
		System.setProperty(DEVICE_PROPERTY, preference.name().toLowerCase(Locale.ROOT));
	}

	/**
	 * Prepares the calling thread for inference: libtorch keeps the graph-executor switch per thread, so every
	 * thread that runs a TorchScript forward calls this first.
	 */
	public static void prepareThread() {
		engine();
		JniUtils.setGraphExecutorOptimize(Boolean.parseBoolean(System.getProperty("ai.djl.pytorch.graph_optimizer")));
	}

	/** One line: engine name, version, GPU count. */
	public static String describe() {
		Engine e = engine();
		return e.getEngineName() + " " + e.getVersion() + ", " + e.getGpuCount() + " GPU(s), threads "
			+ JniUtils.getNumThreads();
	}

	private static void setIfAbsent(String key, String value) {
		if (System.getProperty(key) == null) System.setProperty(key, value);
	}
}
