package org.ldmfiji.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * An opened model bundle: the manifest, its verified files, and the TorchScript parts loaded on one device.
 * Opening verifies every file's SHA-256 and checks the autoencoder's declared shapes with one tiny forward
 * pass; a denoiser is loaded and checked the same way the first time a task asks for it.
 * Owns all native resources: use it in try-with-resources.
 */
public final class ModelBundle implements AutoCloseable {

	private final Manifest manifest;
	private final Device device;
	private final TorchScriptPart encoder, decoder;
	private final Map<String, TorchScriptPart> denoisers = new LinkedHashMap<>();
	private final Map<String, TorchScriptPart> contextEncoders = new LinkedHashMap<>();
	private final Map<String, Object> memo = new ConcurrentHashMap<>();
	private final Map<String, ClipTokenizer> tokenizers = new LinkedHashMap<>();

	/** The cache that handed this bundle out (its close() hands it back), or null for a bundle of its own. */
	private final BundleCache cache;

	ModelBundle(Manifest manifest, Device device, BundleCache cache) {
		this.manifest = manifest;
		this.device = device;
		this.cache = cache;
		verifyFiles(manifest);
		String bfloat16 = CpuBfloat16.problem(manifest.name, manifest.dtype, device);
		if (bfloat16 != null) throw new BundleException(bfloat16);
		TorchRuntime.prepareThread();
		List<TorchScriptPart> opened = new ArrayList<>();
		try {
			encoder = load(manifest.autoencoder.encoder, opened);
			decoder = load(manifest.autoencoder.decoder, opened);
			checkAutoencoder();
		}
		catch (RuntimeException e) {
			opened.forEach(TorchScriptPart::close);
			throw e;
		}
	}

	/**
	 * Opens the bundle in {@code folder} on {@code device}, a bundle of its own: loaded and verified now, closed by
	 * {@link #close}. Commands use {@link #cached} instead.
	 */
	public static ModelBundle open(Path folder, Device device) {
		return new ModelBundle(Manifest.read(folder), device, null);
	}

	/**
	 * The bundle in {@code folder} on {@code device} from this JVM's {@link BundleCache}: loaded once and kept between
	 * commands; {@link #close} hands it back instead of closing it.
	 */
	public static ModelBundle cached(Path folder, Device device) {
		return BundleCache.shared().open(folder, device);
	}

	public Manifest manifest() {
		return manifest;
	}

	public Device device() {
		return device;
	}

	/** z = scale_factor · E(x): image [N x C x H x W] in the model's range to the diffusion latent. */
	public NDArray encode(NDArray image) {
		NDArray h = encoder.forward(new NDList(image)).head();
		return scale(h, manifest.autoencoder.scaleFactor);
	}

	/** x = D(z / scale_factor): diffusion latent [N x c x h x w] to the image in the model's range. */
	public NDArray decode(NDArray z) {
		try (NDManager scope = z.getManager().newSubManager()) {
			NDArray unscaled = manifest.autoencoder.scaleFactor == 1 ? z : z.div(manifest.autoencoder.scaleFactor);
			NDArray x = decoder.forward(new NDList(unscaled)).head();
			x.attach(z.getManager());
			return x;
		}
	}

	private static NDArray scale(NDArray a, double factor) {
		if (factor == 1) return a;
		NDArray scaled = a.mul(factor);
		a.close();
		return scaled;
	}

	/** The denoiser of a task, loaded and shape-checked on first use. */
	public synchronized TorchScriptPart denoiser(String task) {
		TorchScriptPart part = denoisers.get(task);
		if (part != null) return part;
		Manifest.DenoiserSpec spec = manifest.denoiser(task);
		List<TorchScriptPart> opened = new ArrayList<>();
		try {
			part = load(spec.file, opened);
			if (spec.context != null) contextEncoders.put(task, load(spec.context.encoder, opened));
			if (spec.context != null && spec.context.takesText()) tokenizers.put(task, tokenizer(spec.context.text));
			checkDenoiser(spec, part);
		}
		catch (RuntimeException e) {
			contextEncoders.remove(task);
			tokenizers.remove(task);
			opened.forEach(TorchScriptPart::close);
			throw e;
		}
		denoisers.put(task, part);
		return part;
	}

	/**
	 * A value computed once per bundle and key (a measurement that depends only on the model, such as one tile's
	 * memory), so that a warm second run does not repeat it.
	 */
	@SuppressWarnings("unchecked")
	public <T> T memo(String key, Supplier<T> compute) {
		Object v = memo.get(key);
		if (v == null) {
			v = compute.get();
			memo.put(key, v);
		}
		return (T) v;
	}

	/** tau(labels): the cross-attention context [N x tokens x dim] of a task's denoiser. */
	public NDArray context(String task, int[] labels, NDManager manager) {
		denoiser(task);
		TorchScriptPart tau = contextEncoders.get(task);
		if (tau == null) throw new BundleException("the '" + task + "' denoiser of model '" + manifest.name
			+ "' takes no context (no labels)");
		if (tokenizers.containsKey(task)) throw new IllegalArgumentException("the '" + task + "' denoiser of model '"
			+ manifest.name + "' is conditioned on a text prompt, not a label: give a prompt instead");
		long[] ids = new long[labels.length];
		for (int i = 0; i < ids.length; i++) ids[i] = labels[i];
		NDArray in = manager.create(ids);
		NDArray out = tau.forward(new NDList(in)).head();
		in.close();
		return out;
	}

	/** τθ(prompts): the cross-attention context [N x tokens x dim] of a task's denoiser that takes text. */
	public NDArray context(String task, String[] prompts, NDManager manager) {
		denoiser(task);
		ClipTokenizer tokenizer = tokenizers.get(task);
		if (tokenizer == null) throw new IllegalArgumentException("the '" + task + "' denoiser of model '"
			+ manifest.name + "' takes no text prompt: leave the prompt empty or choose a model that takes text");
		NDArray in = manager.create(tokenIds(tokenizer, prompts));
		NDArray out = contextEncoders.get(task).forward(new NDList(in)).head();
		in.close();
		return out;
	}

	/** The token ids [N x max_tokens] of prompts, padded: the text encoder's input. */
	private static long[][] tokenIds(ClipTokenizer tokenizer, String[] prompts) {
		long[][] ids = new long[prompts.length][];
		for (int i = 0; i < prompts.length; i++) ids[i] = tokenizer.padded(prompts[i]);
		return ids;
	}

	private ClipTokenizer tokenizer(Manifest.TextSpec text) {
		return ClipTokenizer.read(manifest.path(text.vocab), manifest.path(text.merges), text.maxTokens, text.startToken,
			text.endToken, text.padToken, text.lowercase);
	}

	private TorchScriptPart load(Manifest.FileRef ref, List<TorchScriptPart> opened) {
		TorchScriptPart part = new TorchScriptPart(manifest.path(ref), device);
		opened.add(part);
		return part;
	}

	/** One forward of the autoencoder on a tiny input, against the shapes the manifest declares. */
	private void checkAutoencoder() {
		Manifest.Autoencoder ae = manifest.autoencoder;
		int m = manifest.denoisers.values().stream().mapToInt(d -> d.latentMultiple).max().orElse(1);
		m = Math.max(m, 2);
		try (NDManager scope = NDManager.newBaseManager(device)) {
			Shape imageShape = new Shape(1, manifest.imageChannels, m * ae.factor, m * ae.factor);
			Shape latentShape = new Shape(1, ae.latentChannels, m, m);
			NDArray z = checked(encoder, new NDList(scope.zeros(imageShape)), latentShape,
				"image channels " + manifest.imageChannels + ", downsampling_factor " + ae.factor + ", latent_channels "
					+ ae.latentChannels);
			checked(decoder, new NDList(z), imageShape, "latent_channels " + ae.latentChannels + ", downsampling_factor "
				+ ae.factor + ", image channels " + manifest.imageChannels);
		}
	}

	private void checkDenoiser(Manifest.DenoiserSpec spec, TorchScriptPart part) {
		int m = spec.latentMultiple;
		try (NDManager scope = NDManager.newBaseManager(device)) {
			NDList in = new NDList(scope.zeros(new Shape(1, spec.inputChannels(), m, m)),
				scope.zeros(new Shape(1), DataType.INT64));
			if (spec.context != null) {
				TorchScriptPart tau = contextEncoders.get(spec.task);
				ClipTokenizer tokenizer = tokenizers.get(spec.task);
				NDArray y = tokenizer == null ? scope.zeros(new Shape(1), DataType.INT64)
					: scope.create(tokenIds(tokenizer, new String[] {spec.context.nullPrompt}));
				NDArray ctx = checked(tau, new NDList(y), new Shape(1, spec.context.tokens, spec.context.dim),
					"context tokens " + spec.context.tokens + ", dim " + spec.context.dim);
				in.add(ctx);
			}
			checked(part, in, new Shape(1, manifest.autoencoder.latentChannels, m, m), "inputs of " + spec.inputChannels()
				+ " channels " + describe(spec) + ", latent_channels " + manifest.autoencoder.latentChannels);
		}
	}

	private static String describe(Manifest.DenoiserSpec spec) {
		StringBuilder s = new StringBuilder("[");
		for (Manifest.InputSpec in : spec.inputs) s.append(s.length() > 1 ? ", " : "").append(in.name).append(' ').append(in.channels);
		return s.append(']').toString();
	}

	private NDArray checked(TorchScriptPart part, NDList input, Shape expected, String declared) {
		NDArray out;
		try {
			out = part.forward(input).head();
		}
		catch (RuntimeException e) {
			Throwable engine = e instanceof BundleException && e.getCause() != null ? e.getCause() : e;
			throw new BundleException(manifest.folder.resolve(part.file()) + " rejects the input " + shapes(input)
				+ " that model.json implies (" + declared + "): " + TorchScriptPart.reason(engine)
				+ ". Fix model.json or re-export the bundle with models/ldm_models/export.py", e);
		}
		if (!out.getShape().equals(expected)) throw new BundleException(manifest.folder.resolve(part.file())
			+ " returns shape " + out.getShape() + " for input " + shapes(input) + " but model.json implies " + expected
			+ " (" + declared + "). Fix model.json or re-export the bundle with models/ldm_models/export.py");
		return out;
	}

	private static String shapes(NDList list) {
		return TorchScriptPart.shapes(list);
	}

	/** The files the manifest names: the autoencoder's parts, each denoiser and its context encoder. */
	static List<Manifest.FileRef> files(Manifest manifest) {
		List<Manifest.FileRef> refs = new ArrayList<>();
		refs.add(manifest.autoencoder.encoder);
		refs.add(manifest.autoencoder.decoder);
		for (Manifest.DenoiserSpec d : manifest.denoisers.values()) {
			refs.add(d.file);
			if (d.context != null) refs.add(d.context.encoder);
			if (d.context != null && d.context.takesText()) {
				refs.add(d.context.text.vocab);
				refs.add(d.context.text.merges);
			}
		}
		return refs;
	}

	/**
	 * Every file the manifest names is a plain file inside the bundle folder and has its declared SHA-256 (hashed
	 * again only when its size or modification time changed since this JVM last hashed it, {@link BundleCache}).
	 */
	static void verifyFiles(Manifest manifest) {
		for (Manifest.FileRef ref : files(manifest)) {
			Path path = manifest.path(ref);
			String actual;
			try {
				actual = BundleCache.shared().sha256(path);
			}
			catch (IOException e) {
				throw new BundleException("cannot read " + path + ": " + e.getMessage(), e);
			}
			if (!actual.equals(ref.sha256)) throw new BundleException("model '" + manifest.name + "': " + path
				+ " has SHA-256 " + actual + " but model.json expects " + ref.sha256
				+ ". The file is damaged or from another export: copy the bundle again or re-export it.");
		}
	}

	/** Hands a cached bundle back to its cache (it stays loaded for the next command); closes a bundle of its own. */
	@Override
	public void close() {
		if (cache != null) cache.handBack(this);
		else release();
	}

	/** Closes the loaded parts: their native memory is freed. */
	synchronized void release() {
		memo.clear();
		denoisers.values().forEach(TorchScriptPart::close);
		contextEncoders.values().forEach(TorchScriptPart::close);
		denoisers.clear();
		contextEncoders.clear();
		tokenizers.clear();
		encoder.close();
		decoder.close();
	}
}
