"""The topic taxonomy of CONTRACT §5: slugs, what each one covers, and the words that signal it
(how a signal is written: `topic_signals`)."""

from __future__ import annotations

from paperset.topic_signals import Topic, terms

TAXONOMY_VERSION = "1"

TAXONOMY: tuple[Topic, ...] = (
    Topic(
        "language-models",
        "LLMs and NLP: pretraining, alignment, in-context learning, code generation, "
        "evaluation of LMs",
        strong=terms(
            "nlp|natural language processing, in-context learning, instruction tuning, "
            "chain-of-thought, code generation|code llm, program synthesis, question answering, "
            "machine translation, rlhf, chatgpt|gpt-4|gpt-3|gpt, bert, "
            "retrieval-augmented generation, text classification, named entity recognition, "
            "summarization, chatbot, language modeling, llm agent, ai alignment, reward hacking, "
            "jailbreak*"
        ),
        medium=terms(
            "llm|large language model|language model, prompt*, hallucination*, dialogue, "
            "instruction following, corpus|corpora, linguistic*, multilingual, tokenizer, "
            "preference optimization|dpo, natural language, text generation, bleu|rouge, "
            "sentiment, conversational"
        ),
        weak=terms("language, text, token, reasoning, alignment, multimodal, assistant"),
    ),
    Topic(
        "computer-vision",
        "images, video, 3D, segmentation, detection, restoration, remote sensing and "
        "medical imaging",
        strong=terms(
            "computer vision, image classification, object detection, segmentation, "
            "super-resolution, image restoration, image denoising, remote sensing, medical imag*, "
            "point cloud, 3d reconstruction, neural radiance field|nerf, gaussian splatting, "
            "pose estimation, optical flow, depth estimation, video understanding, "
            "action recognition, vision transformer|vit, whole slide image, histopatholog*, "
            "face recognition, neural field, implicit neural representation, hyperspectral, "
            "autonomous driving, frame interpolation, visual recognition, image retrieval"
        ),
        medium=terms(
            "image|imaging, video, cnn|convolutional neural network, imagenet, scene, camera, "
            "rendering, satellite, radiology, mri, microscopy, change detection, object tracking, "
            "stereo, resnet, deblurring, inpainting, perception, visual, multi-view, "
            "correspondence, vision-language|vision and language|vlm"
        ),
        weak=terms("vision, pixel*, convolution*, 3d, shape, feature map, denoising"),
    ),
    Topic(
        "generative-models",
        "diffusion, score-based and flow models, GANs, VAEs, autoregressive image/video generation",
        strong=terms(
            "diffusion model|diffusion probabilistic model|denoising diffusion, score-based, "
            "score matching, generative model|generative modeling|generative modelling, "
            "gan|generative adversarial network, vae|variational autoencoder, normalizing flow, "
            "flow matching, text-to-image, image generation|image generator|image synthesis, "
            "video generation|video generator, classifier-free guidance, latent diffusion, "
            "stable diffusion, energy-based model, consistency model, rectified flow, "
            "text-to-video, diffusion transformer, boltzmann machine, gflownet, guidance scale"
        ),
        medium=terms(
            "diffusion, generative, sampler, denoiser, fid, probability path, image editing, "
            "autoregressive generation, generator, likelihood, latent space"
        ),
        weak=terms("sampling, guidance, latent, synthesis"),
    ),
    Topic(
        "reinforcement-learning",
        "RL, bandits, MDPs, multi-agent RL, planning, preference-based RL",
        strong=terms(
            "rl|reinforcement learning|deep rl, policy gradient, q-learning, bandit*, "
            "mdp|markov decision process, marl|multi-agent reinforcement learning, bellman, "
            "temporal difference, actor-critic, offline rl, imitation learning, distributional rl, "
            "policy optimization, value function, q-function, reward shaping, "
            "inverse reinforcement learning, model-based rl"
        ),
        medium=terms(
            "policy|policies, reward, regret, exploration, dynamic programming, value network, "
            "atari, mujoco, agent, value-based, sample efficiency"
        ),
        weak=terms("planning, environment, decision making, episod*, control"),
    ),
    Topic(
        "efficient-ml",
        "quantization, pruning, distillation, low-rank/parameter-efficient fine-tuning, "
        "KV-cache, efficient training and inference",
        strong=terms(
            "quantiz*|low-bit|int4|int8|fp8|4-bit|2-bit|8-bit|3-bit, pruning|prune*, "
            "knowledge distillation, lora|low-rank adaptation, parameter-efficient|peft, kv cache, "
            "speculative decoding, model compression, mixed precision, binary neural network, "
            "inference acceleration"
        ),
        medium=terms(
            "distill*, compression|compress*, sparsif*, adapter, low-rank, flops, lightweight, "
            "latency, edge device|on-device, neural architecture search, distributed training, "
            "parallelism, memory footprint, fine-tuning|finetuning, speedup, throughput, "
            "trainable parameters, memory, efficient inference"
        ),
        weak=terms(
            "efficient|efficiency, gpu, fast|faster, cost, acceleration|accelerate, sparsity, "
            "singular value*"
        ),
    ),
    Topic(
        "optimization-and-theory",
        "optimizers, convergence, learning theory and learning dynamics, hyperparameter "
        "optimization",
        strong=terms(
            "optimizer, adam|adamw, sgd|stochastic gradient descent|stochastic gradient, "
            "convergence rate, learning theory, generalization bound, pac-bayes*, "
            "hyperparameter optimization, bayesian optimization, loss landscape, "
            "mode connectivity, neural tangent kernel|ntk, deep learning theory, "
            "bilevel optimization, implicit bias, training dynamics|learning dynamics"
        ),
        medium=terms(
            "gradient descent, convergence, hyperparameter*, learning rate, nesterov, "
            "second-order, non-convex|nonconvex, convex, sample complexity, overparameteri*, "
            "minimax, saddle point, generalization error"
        ),
        weak=terms(
            "optimization, gradient, theory, theoretical, theorem, we prove, bound, momentum, "
            "generalization"
        ),
    ),
    Topic(
        "graphs-and-recommendation",
        "graph neural networks, knowledge graphs, recommender systems, link prediction",
        strong=terms(
            "gnn|graph neural network, graph convolutional|gcn, knowledge graph|kg, "
            "recommender system|recommendation, collaborative filtering, link prediction, "
            "node classification, graph representation learning, graph embedding, pagerank, "
            "click-through rate, user-item, graph transformer"
        ),
        medium=terms(
            "graph, message passing, random walk, vertex|vertices, social network, "
            "community detection, heterogeneous graph, subgraph, recommend*"
        ),
        weak=terms("node, edge, item"),
    ),
    Topic(
        "time-series",
        "forecasting, sequence and state-space models for temporal data, trajectories",
        strong=terms(
            "time series, forecasting|forecast*, state space model|ssm, trajectory prediction, "
            "anomaly detection"
        ),
        medium=terms(
            "state-space, mamba, spatio-temporal|spatiotemporal, sequence model*, recurrent|rnn, "
            "lstm, trajectory|trajectories, traffic, koopman, irregularly sampled, "
            "long-range dependenc*, prediction horizon, seasonal*, lookback, periodic*"
        ),
        weak=terms("temporal, sequence, dynamics, long-term"),
    ),
    Topic(
        "scientific-ml",
        "ML for PDEs and physics simulation, neural operators, physics-informed networks, "
        "molecules, materials, weather",
        strong=terms(
            "neural operator, fourier neural operator, physics-informed|pinn, "
            "pde|partial differential equation, navier-stokes, fluid dynamics|cfd, turbulen*, "
            "molecul*, protein, drug discovery, materials science, crystal*, weather, climate, "
            "finite element, retrosynthe*, physics-guided, single-cell, quantum chemistry, "
            "density functional theory, pde solver"
        ),
        medium=terms(
            "mesh, simulation, physical system, dynamical system, differential equation, "
            "boundary condition, solver, chemistry|chemical, ligand, lagrangian, conservation law, "
            "multiscale, surrogate model, scientific, elasticity, biolog*, genom*, material, "
            "atmospher*"
        ),
        weak=terms("ode, equation, reaction, fluid, physics, physical"),
    ),
    Topic(
        "physics",
        "physics without a machine-learning focus: high-energy, astro, quantum, "
        "statistical mechanics",
        strong=terms(
            "quantum field theory, string theory, black hole, dark matter, cosmolog*, galax*, "
            "gravit*, planck, hadron*, quark, gauge theory, qcd, quantum electrodynamics|qed, "
            "particle physics, high-energy physics, astrophysic*, redshift, supernova*, neutrino*, "
            "condensed matter, statistical mechanics, ising, qubit, superconduct*, boson*, "
            "fermion*, wavefunction, schrodinger, scattering amplitude, "
            "effective field theory|eft, unitarity, renormaliz*"
        ),
        medium=terms(
            "quantum, phase transition, thermodynamic*, stellar, spin, hamiltonian, lattice"
        ),
        weak=terms("entropy, energy, density, particle*"),
        against=terms(
            "learning|machine learning|deep learning, neural network, training|trained, dataset*"
        ),
    ),
    Topic(
        "signal-processing",
        "wireless, RF, radar, channel estimation, beamforming, audio signal processing",
        strong=terms(
            "wireless, mimo, beamforming, channel estimation, radar, "
            "rf|radio frequency|radio-frequency, ofdm, antenna*, transceiver, precoding, "
            "modulation recognition|modulation classification, 5g, 6g, mmwave|millimeter wave, "
            "reconfigurable intelligent surface|intelligent reflecting surface|ris|irs, "
            "signal processing, "
            "speech recognition|speech enhancement|speech synthesis|text-to-speech, "
            "channel state information|csi, power allocation, base station, direction of arrival, "
            "metasurface, compressed sensing"
        ),
        medium=terms(
            "modulation, spectrum, audio|sound|speech, acoustic, speaker, "
            "biosignal*|physiological signal*, sparse recovery, snr|signal-to-noise, eeg, ecg, "
            "radio, sensing, communication system, sparse representation|sparse coding, "
            "dictionary learning, unmixing, source separation"
        ),
        weak=terms("signal, frequency, noise, sensor*, wearable*"),
    ),
    Topic("other", "everything else"),
)

TOPIC_SLUGS: tuple[str, ...] = tuple(topic.slug for topic in TAXONOMY)
FALLBACK_TOPIC = "other"


def taxonomy_table_markdown() -> str:
    """Render the taxonomy as the markdown table the README and dataset card show."""
    rows = ["| slug | scope |", "|---|---|"]
    rows += [f"| `{topic.slug}` | {topic.scope} |" for topic in TAXONOMY]
    return "\n".join(rows)
