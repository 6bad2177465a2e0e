package org.ldmfiji.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TorchScript file of a bundle, loaded straight onto its device ({@code mapLocation}). Forward results
 * attach to the manager of the first input, so a caller's per-step scope owns them. An engine failure, in loading
 * or in a forward, becomes a BundleException with one line that names the file and the engine's reason.
 */
public final class TorchScriptPart implements AutoCloseable {

	private final Model model;
	private final Block block;
	private final String file;
	private final LongAdder forwardNanos = new LongAdder();

	TorchScriptPart(Path path, Device device) {
		file = path.getFileName().toString();
		TorchRuntime.engine();
		try {
			model = Model.newInstance(file, device, TorchRuntime.ENGINE);
		}
		catch (RuntimeException e) {
			throw new BundleException("cannot create a PyTorch model for " + path + " on " + device + " (" + reason(e)
				+ "): check the device with ./ldm info (or LDM Engine Info) and try --device cpu", e);
		}
		try {
			model.load(path, null, Map.of("mapLocation", "true"));
		}
		catch (IOException | MalformedModelException | RuntimeException e) {
			model.close();
			throw new BundleException("cannot load TorchScript file " + path + " (" + reason(e)
				+ "): export it with torch.jit.script/trace and torch.jit.save (models/ldm_models/export.py)", e);
		}
		block = model.getBlock();
		try {
			if (Device.Type.CPU.equals(device.getDeviceType())) guardPadding();
		}
		catch (RuntimeException e) {
			model.close();
			throw e;
		}
	}

	/**
	 * A convolution that oneDNN computes wrongly turns oneDNN off for the process ({@link OneDnnPadding}); found from
	 * the weights' shapes.
	 */
	private void guardPadding() {
		String convolution = OneDnnPadding.paddedConvolution(parameterShapes(), OneDnnPadding.block());
		if (convolution != null) TorchRuntime.avoidOneDnn(file + "'s " + convolution);
	}

	/** The shapes of the module's parameters, by name. */
	Map<String, Shape> parameterShapes() {
		Map<String, Shape> shapes = new LinkedHashMap<>();
		for (Pair<String, Parameter> p : block.getDirectParameters()) shapes.put(p.getKey(), p.getValue().getArray().getShape());
		return shapes;
	}

	/** The file name, for messages. */
	public String file() {
		return file;
	}

	/** Runs the module's forward on the given inputs. */
	public NDList forward(NDList inputs) {
		NDManager manager = inputs.head().getManager();
		long t0 = System.nanoTime();
		try {
			return block.forward(new ParameterStore(manager, false), inputs, false);
		}
		catch (EngineException e) {
			throw new BundleException(file + " failed on the input " + shapes(inputs) + " (" + reason(e) + "). If it ran "
				+ "out of memory, use a smaller tile size or fewer samples; otherwise the file does not match its model.json: "
				+ "re-export the bundle with models/ldm_models/export.py", e);
		}
		finally {
			forwardNanos.add(System.nanoTime() - t0);
		}
	}

	/**
	 * Wall time spent in {@link #forward} since the part was loaded, in nanoseconds: what the benchmark subtracts to
	 * get the pipeline's own cost. On a CPU the forward returns with its result computed; on a GPU it may return
	 * once the work is queued, so there it is a lower bound.
	 */
	public long forwardNanos() {
		return forwardNanos.sum();
	}

	/** The shapes of a forward's inputs, for messages. */
	static String shapes(NDList list) {
		StringBuilder s = new StringBuilder();
		for (NDArray a : list) s.append(s.length() > 0 ? ", " : "").append(a.getShape());
		return s.toString();
	}

	private static final Pattern ERROR_LINE = Pattern.compile("(?m)^\\s*(?:[\\w.$]*(?:Error|Exception)): (.+)$");

	/**
	 * The engine's reason on one line: for a TorchScript interpreter failure the final {@code RuntimeError: ...} line
	 * below its traceback, otherwise the first line (libtorch appends C++ frames after it).
	 */
	static String reason(Throwable e) {
		String m = e.getMessage();
		if (m == null || m.isBlank()) return e.getClass().getSimpleName();
		String reason = null;
		for (Matcher r = ERROR_LINE.matcher(m); r.find();) reason = r.group(1);
		if (reason == null) reason = m.strip().split("\\R", 2)[0];
		reason = JsonFields.oneLine(reason);
		return reason.length() > 300 ? reason.substring(0, 300) + "..." : reason;
	}

	@Override
	public void close() {
		model.close();
	}
}
