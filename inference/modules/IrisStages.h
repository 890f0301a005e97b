#pragma once

// The stages of the Iris network: encoder, task encoding, fusion, decoder and class head.
// Names follow the reference state_dict (encoder.*, task_embedding.i.*, decoder.*, out.*).

#include "inference/IrisConfig.h"
#include "inference/modules/IrisLayers.h"

#include <torch/torch.h>
#include <utility>
#include <vector>

namespace iris::inference::modules
{
// `inc`: a plain 3×3×3 conv (conv1) followed by a BasicBlock (conv2).
class InputBlockImpl : public torch::nn::Module
{
public:
  InputBlockImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::Conv3d conv1_{nullptr};
  BasicBlock conv2_{nullptr};
};
TORCH_MODULE(InputBlock);

// U-Net encoder; forward returns the five levels deepest first (x5, x4, x3, x2, x1).
class EncoderImpl : public torch::nn::Module
{
public:
  explicit EncoderImpl(const IrisConfig& config);
  std::vector<torch::Tensor> forward(const torch::Tensor& x);

private:
  InputBlock inc_{nullptr};
  std::vector<torch::nn::Sequential> downs_; // downK.conv: MaxPool3d(2), then blocks
};
TORCH_MODULE(Encoder);

// Upsample (trilinear, align_corners) to the skip size, concat [skip, up], residual blocks.
class UpBlockImpl : public torch::nn::Module
{
public:
  UpBlockImpl(int64_t skipChannels, int64_t deepChannels, int64_t out, int64_t blocks);
  torch::Tensor forward(const torch::Tensor& deep, const torch::Tensor& skip);

private:
  torch::nn::Sequential conv_{nullptr};
};
TORCH_MODULE(UpBlock);

// Tokens and voxels attend to each other: t += CA(t→v); t += MLP; v += CA(v→t); v += MLP;
// t += SA(t); t += MLP.
class MultiPriorAttentionBlockImpl : public torch::nn::Module
{
public:
  explicit MultiPriorAttentionBlockImpl(int64_t dim);
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor tokens, torch::Tensor voxels);

private:
  DualPreNormAttention priorAggregate_{nullptr};
  DualPreNormAttention featAggregate_{nullptr};
  PreNormAttention priorAttention_{nullptr};
  PreNormMlp priorFfn_{nullptr};
  PreNormMlp featFfn_{nullptr};
  PreNormMlp priorFfn2_{nullptr};
};
TORCH_MODULE(MultiPriorAttentionBlock);

// decoder.prior_fuse.i: features [B,C,d,h,w] and class tokens [B,K,T,C] -> both updated.
class FusionLayerImpl : public torch::nn::Module
{
public:
  explicit FusionLayerImpl(int64_t dim);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& features,
                                                  const torch::Tensor& tokens);

private:
  std::vector<MultiPriorAttentionBlock> blocks_;
};
TORCH_MODULE(FusionLayer);

// Decoder: fusion at the prior stages, then up1..up4. Returns the full-resolution features and
// token 0 of every class after each fusion stage.
class DecoderImpl : public torch::nn::Module
{
public:
  explicit DecoderImpl(const IrisConfig& config);
  std::pair<torch::Tensor, std::vector<torch::Tensor>>
  forward(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& priors);

private:
  std::vector<FusionLayer> fusions_;
  std::vector<UpBlock> ups_;
};
TORCH_MODULE(Decoder);

// Self-attn + MLP; cross-attn to the context + MLP; self-attn + MLP.
class TaskQueryAttentionBlockImpl : public torch::nn::Module
{
public:
  explicit TaskQueryAttentionBlockImpl(int64_t dim);
  torch::Tensor forward(torch::Tensor tokens, const torch::Tensor& context);

private:
  PreNormAttention attention1_{nullptr};
  DualPreNormAttention aggregate_{nullptr};
  PreNormAttention attention2_{nullptr};
  PreNormMlp ffn1_{nullptr};
  PreNormMlp aggregateFfn_{nullptr};
  PreNormMlp ffn2_{nullptr};
};
TORCH_MODULE(TaskQueryAttentionBlock);

// `pos_embed`: a learnable [1,1,P,P,P] map named `embedding`.
class PositionalEmbeddingImpl : public torch::nn::Module
{
public:
  explicit PositionalEmbeddingImpl(int64_t patch);
  torch::Tensor embedding;
};
TORCH_MODULE(PositionalEmbedding);

// task_embedding.i (TaskEncodingLayer_SubPixel): reference features of one stage and K masks
// -> [B,K,m+1,C] task tokens.
class TaskEncodingLayerImpl : public torch::nn::Module
{
public:
  TaskEncodingLayerImpl(int64_t dim, int64_t scale, int64_t queryTokens, int64_t patch);
  torch::Tensor forward(const torch::Tensor& features, const torch::Tensor& masks);

private:
  int64_t scale_;
  torch::Tensor taskQuery_;
  std::vector<TaskQueryAttentionBlock> blocks_;
  torch::nn::LayerNorm normForeground_{nullptr};
  torch::nn::LayerNorm normQuery_{nullptr};
  torch::nn::LayerNorm normCombined_{nullptr};
  torch::nn::LayerNorm normPost_{nullptr};
  NormReluConv expand_{nullptr};
  NormReluConv merge_{nullptr};
  NormReluConv squeeze_{nullptr};
  PositionalEmbedding posEmbed_{nullptr};
};
TORCH_MODULE(TaskEncodingLayer);

// `out` (HierarchyPriorClassifier): token 0 of every fusion stage -> one weight vector per class.
class ClassHeadImpl : public torch::nn::Module
{
public:
  ClassHeadImpl(int64_t in, int64_t out);
  torch::Tensor forward(const std::vector<torch::Tensor>& posteriors); // -> [B,K,out]

private:
  torch::nn::LayerNorm norm_{nullptr};
  std::vector<Mlp> mlps_;
};
TORCH_MODULE(ClassHead);
} // namespace iris::inference::modules
