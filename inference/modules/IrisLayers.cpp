#include "inference/modules/IrisLayers.h"

#include <cmath>

namespace iris::inference::modules
{
namespace
{
constexpr double kConvBlockNormEps = 1e-4;
constexpr double kTaskEncodingNormEps = 1e-5;
constexpr double kPreNormEps = 1e-4;
constexpr double kDualPreNormEps = 1e-5;
constexpr int64_t kHeadWidth = 32;
constexpr int64_t kMlpRatio = 4;

torch::nn::Conv3d makeConv(int64_t in, int64_t out, int64_t kernel, bool bias)
{
  return torch::nn::Conv3d(
      torch::nn::Conv3dOptions(in, out, kernel).padding(kernel / 2).bias(bias));
}

// LibTorch 1.13 convolves one volume on the CPU slowly for training: below C·D·H = 20480 (ATen's
// ConvParams::use_mkldnn) through slow_conv3d, whose backward pass took two thirds of a training
// step, and above it through oneDNN with little parallelism in the backward pass. A batch of two
// half-depth slabs takes oneDNN's batched path. Forward and backward of one 3×3×3 convolution,
// 2 threads: 32 × 24³ 0.160 s -> 0.019 s, 64 × 12³ 0.027 -> 0.011, 16 × 48³ 0.099 -> 0.073.
bool convolvesAsSlabs(const torch::nn::Conv3d& conv, const torch::Tensor& x)
{
  return x.device().is_cpu() && x.size(0) == 1 && torch::GradMode::is_enabled() &&
         conv->weight.size(2) == 3 && x.size(2) % 2 == 0 && x.size(2) >= 4;
}
} // namespace

torch::Tensor convolve(torch::nn::Conv3d conv, const torch::Tensor& x)
{
  if (!convolvesAsSlabs(conv, x))
  {
    return conv->forward(x);
  }
  namespace F = torch::nn::functional;
  const auto half = x.size(2) / 2;
  // Zero depth padding as the convolution's own, then two overlapping slabs as a batch of two.
  const auto padded = F::pad(x, F::PadFuncOptions({0, 0, 0, 0, 1, 1}));
  const auto slabs = torch::cat({padded.narrow(2, 0, half + 2), padded.narrow(2, half, half + 2)});
  auto options = F::Conv3dFuncOptions().padding({0, 1, 1});
  if (conv->options.bias())
  {
    options.bias(conv->bias);
  }
  const auto out = F::conv3d(slabs, conv->weight, options);
  return torch::cat({out.narrow(0, 0, 1), out.narrow(0, 1, 1)}, 2);
}

torch::Tensor instanceNorm(const torch::Tensor& x, double eps)
{
  return torch::instance_norm(x, {}, {}, {}, {}, /*use_input_stats=*/true, /*momentum=*/0.0, eps,
                              /*cudnn_enabled=*/false);
}

torch::Tensor pixelShuffle3d(const torch::Tensor& x, int64_t scale)
{
  const auto n = x.size(0);
  const auto d = x.size(2), h = x.size(3), w = x.size(4);
  TORCH_CHECK(x.size(1) == scale * scale * scale, "pixelShuffle3d expects s^3 channels");
  return x.reshape({n, scale, scale, scale, d, h, w})
      .permute({0, 4, 1, 5, 2, 6, 3})
      .reshape({n, 1, d * scale, h * scale, w * scale});
}

torch::Tensor pixelUnshuffle3d(const torch::Tensor& x, int64_t scale)
{
  const auto n = x.size(0);
  TORCH_CHECK(x.size(1) == 1, "pixelUnshuffle3d expects one channel");
  const auto d = x.size(2) / scale, h = x.size(3) / scale, w = x.size(4) / scale;
  return x.reshape({n, d, scale, h, scale, w, scale})
      .permute({0, 2, 4, 6, 1, 3, 5})
      .reshape({n, scale * scale * scale, d, h, w});
}

PreActConvImpl::PreActConvImpl(int64_t in, int64_t out)
    : conv_(register_module("conv", makeConv(in, out, 3, false)))
{
}

torch::Tensor PreActConvImpl::forward(const torch::Tensor& x)
{
  return convolve(conv_, torch::relu(instanceNorm(x, kConvBlockNormEps)));
}

BasicBlockImpl::BasicBlockImpl(int64_t in, int64_t out)
    : conv1_(register_module("conv1", PreActConv(in, out))),
      conv2_(register_module("conv2", PreActConv(out, out)))
{
  if (in != out)
  {
    shortcut_ = register_module("shortcut", PreActConv(in, out));
  }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x)
{
  auto residual = shortcut_ ? shortcut_->forward(x) : x;
  return conv2_->forward(conv1_->forward(x)) + residual;
}

NormReluConvImpl::NormReluConvImpl(int64_t in, int64_t out, int64_t kernel)
    : conv_(register_module("2", makeConv(in, out, kernel, true)))
{
}

torch::Tensor NormReluConvImpl::forward(const torch::Tensor& x)
{
  return convolve(conv_, torch::relu(instanceNorm(x, kTaskEncodingNormEps)));
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int64_t dim, int64_t heads) : heads_(heads)
{
  inProjWeight_ = register_parameter("in_proj_weight", torch::empty({3 * dim, dim}));
  inProjBias_ = register_parameter("in_proj_bias", torch::zeros({3 * dim}));
  outProj_ = register_module("out_proj", torch::nn::Linear(dim, dim));
  torch::nn::init::xavier_uniform_(inProjWeight_);
  torch::NoGradGuard noGrad;
  outProj_->bias.zero_();
}

torch::Tensor MultiHeadAttentionImpl::forward(const torch::Tensor& query,
                                              const torch::Tensor& context)
{
  const auto dim = query.size(-1);
  torch::Tensor q, k, v;
  if (query.is_same(context))
  {
    auto qkv = torch::nn::functional::linear(query, inProjWeight_, inProjBias_).chunk(3, -1);
    q = qkv[0], k = qkv[1], v = qkv[2];
  }
  else
  {
    q = torch::nn::functional::linear(query, inProjWeight_.slice(0, 0, dim),
                                      inProjBias_.slice(0, 0, dim));
    auto kv = torch::nn::functional::linear(context, inProjWeight_.slice(0, dim),
                                            inProjBias_.slice(0, dim))
                  .chunk(2, -1);
    k = kv[0], v = kv[1];
  }
  const auto batch = query.size(0);
  const auto headDim = dim / heads_;
  auto split = [&](const torch::Tensor& t) {
    return t.reshape({batch, t.size(1), heads_, headDim}).transpose(1, 2);
  };
  q = split(q) / std::sqrt(static_cast<double>(headDim));
  auto weights = torch::softmax(torch::matmul(q, split(k).transpose(-2, -1)), -1);
  auto attended = torch::matmul(weights, split(v)).transpose(1, 2).reshape({batch, -1, dim});
  return outProj_->forward(attended);
}

AttentionImpl::AttentionImpl(int64_t dim)
    : mha_(register_module("mha", MultiHeadAttention(dim, dim / kHeadWidth)))
{
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& context)
{
  return mha_->forward(query, context);
}

MlpImpl::MlpImpl(int64_t in, int64_t hidden, int64_t out)
    : fc1_(register_module("fc1", torch::nn::Linear(in, hidden))),
      fc2_(register_module("fc2", torch::nn::Linear(hidden, out)))
{
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x)
{
  return fc2_->forward(torch::gelu(fc1_->forward(x)));
}

torch::nn::LayerNorm makeLayerNorm(int64_t dim, double eps)
{
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(eps));
}

PreNormAttentionImpl::PreNormAttentionImpl(int64_t dim)
    : norm_(register_module("norm", makeLayerNorm(dim, kPreNormEps))),
      fn_(register_module("fn", Attention(dim)))
{
}

torch::Tensor PreNormAttentionImpl::forward(const torch::Tensor& x)
{
  auto normed = norm_->forward(x);
  return fn_->forward(normed, normed);
}

DualPreNormAttentionImpl::DualPreNormAttentionImpl(int64_t dim)
    : norm1_(register_module("norm1", makeLayerNorm(dim, kDualPreNormEps))),
      norm2_(register_module("norm2", makeLayerNorm(dim, kDualPreNormEps))),
      fn_(register_module("fn", Attention(dim)))
{
}

torch::Tensor DualPreNormAttentionImpl::forward(const torch::Tensor& x,
                                                const torch::Tensor& context)
{
  return fn_->forward(norm1_->forward(x), norm2_->forward(context));
}

PreNormMlpImpl::PreNormMlpImpl(int64_t dim)
    : norm_(register_module("norm", makeLayerNorm(dim, kPreNormEps))),
      fn_(register_module("fn", Mlp(dim, kMlpRatio * dim, dim)))
{
}

torch::Tensor PreNormMlpImpl::forward(const torch::Tensor& x)
{
  return fn_->forward(norm_->forward(x));
}
} // namespace iris::inference::modules
