#pragma once

// Building blocks of the Iris network. Module and parameter names mirror the reference
// state_dict (see ../shared/parity/README.md), so weights load by name.

#include <torch/torch.h>

namespace iris::inference::modules
{
// InstanceNorm3d without affine parameters or running statistics, as the reference uses it.
torch::Tensor instanceNorm(const torch::Tensor& x, double eps);

// PixelShuffle3d with one output channel: channel (a·s+b)·s+c -> voxel (d·s+a, h·s+b, w·s+c).
torch::Tensor pixelShuffle3d(const torch::Tensor& x, int64_t scale);
// Its inverse for a one-channel input: [N,1,D,H,W] -> [N,s³,D/s,H/s,W/s].
torch::Tensor pixelUnshuffle3d(const torch::Tensor& x, int64_t scale);

// `conv` (stride 1, padding kernel/2) applied to x. While training on the CPU, a single volume's
// 3×3×3 convolution runs as a batch of two half-depth slabs with a one-voxel halo: the same sums,
// several times faster in LibTorch 1.13 (see convolvesAsSlabs).
torch::Tensor convolve(torch::nn::Conv3d conv, const torch::Tensor& x);

// IN(eps 1e-4) -> ReLU -> 3×3×3 conv without bias; names `conv.weight`.
class PreActConvImpl : public torch::nn::Module
{
public:
  PreActConvImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::Conv3d conv_{nullptr};
};
TORCH_MODULE(PreActConv);

// Pre-activation residual block: conv2(conv1(x)) + shortcut(x); the shortcut is a PreActConv
// only when the width changes.
class BasicBlockImpl : public torch::nn::Module
{
public:
  BasicBlockImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);

private:
  PreActConv conv1_{nullptr};
  PreActConv conv2_{nullptr};
  PreActConv shortcut_{nullptr};
};
TORCH_MODULE(BasicBlock);

// IN(eps 1e-5) -> ReLU -> conv with bias, registered as Sequential index 2 (`expand.2.weight`).
class NormReluConvImpl : public torch::nn::Module
{
public:
  NormReluConvImpl(int64_t in, int64_t out, int64_t kernel);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::Conv3d conv_{nullptr};
};
TORCH_MODULE(NormReluConv);

// nn.MultiheadAttention(batch_first=True), heads = C / 32, no dropout; inputs [B, L, C].
class MultiHeadAttentionImpl : public torch::nn::Module
{
public:
  MultiHeadAttentionImpl(int64_t dim, int64_t heads);
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& context);

private:
  int64_t heads_;
  torch::Tensor inProjWeight_;
  torch::Tensor inProjBias_;
  torch::nn::Linear outProj_{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

// The reference's attention wrapper: a module whose only child is `mha`.
class AttentionImpl : public torch::nn::Module
{
public:
  explicit AttentionImpl(int64_t dim);
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& context);

private:
  MultiHeadAttention mha_{nullptr};
};
TORCH_MODULE(Attention);

// fc1 -> exact GELU -> fc2.
class MlpImpl : public torch::nn::Module
{
public:
  MlpImpl(int64_t in, int64_t hidden, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::Linear fc1_{nullptr};
  torch::nn::Linear fc2_{nullptr};
};
TORCH_MODULE(Mlp);

// Self-attention behind one LayerNorm (eps 1e-4): `norm`, `fn.mha`. Returns the update only.
class PreNormAttentionImpl : public torch::nn::Module
{
public:
  explicit PreNormAttentionImpl(int64_t dim);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::LayerNorm norm_{nullptr};
  Attention fn_{nullptr};
};
TORCH_MODULE(PreNormAttention);

// Cross-attention: `norm1` (attending side) and `norm2` (context), eps 1e-5, then `fn.mha`.
class DualPreNormAttentionImpl : public torch::nn::Module
{
public:
  explicit DualPreNormAttentionImpl(int64_t dim);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

private:
  torch::nn::LayerNorm norm1_{nullptr};
  torch::nn::LayerNorm norm2_{nullptr};
  Attention fn_{nullptr};
};
TORCH_MODULE(DualPreNormAttention);

// MLP C -> 4C -> C behind a LayerNorm (eps 1e-4): `norm`, `fn.fc1`, `fn.fc2`.
class PreNormMlpImpl : public torch::nn::Module
{
public:
  explicit PreNormMlpImpl(int64_t dim);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::LayerNorm norm_{nullptr};
  Mlp fn_{nullptr};
};
TORCH_MODULE(PreNormMlp);

// LayerNorm with the eps the reference uses for task-encoding and classifier norms (1e-5).
torch::nn::LayerNorm makeLayerNorm(int64_t dim, double eps);
} // namespace iris::inference::modules
