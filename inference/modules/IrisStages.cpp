#include "inference/modules/IrisStages.h"

#include <string>

namespace iris::inference::modules
{
namespace
{
constexpr int kAttentionBlocks = 2;
constexpr double kTaskNormEps = 1e-5;

torch::Tensor resizeTrilinear(const torch::Tensor& x, at::IntArrayRef size)
{
  return torch::nn::functional::interpolate(
      x, torch::nn::functional::InterpolateFuncOptions()
             .size(std::vector<int64_t>(size.begin(), size.end()))
             .mode(torch::kTrilinear)
             .align_corners(true));
}
} // namespace

InputBlockImpl::InputBlockImpl(int64_t in, int64_t out)
    : conv1_(register_module(
          "conv1", torch::nn::Conv3d(torch::nn::Conv3dOptions(in, out, 3).padding(1).bias(false)))),
      conv2_(register_module("conv2", BasicBlock(out, out)))
{
}

torch::Tensor InputBlockImpl::forward(const torch::Tensor& x)
{
  return conv2_->forward(convolve(conv1_, x));
}

EncoderImpl::EncoderImpl(const IrisConfig& config)
    : inc_(register_module("inc", InputBlock(config.inChannels, config.channels[0])))
{
  for (int level = 1; level < config.stageCount(); ++level)
  {
    torch::nn::Sequential conv;
    conv->push_back(torch::nn::MaxPool3d(torch::nn::MaxPool3dOptions(2)));
    for (int block = 0; block < config.numBlock[level - 1]; ++block)
    {
      conv->push_back(BasicBlock(block == 0 ? config.channels[level - 1] : config.channels[level],
                                 config.channels[level]));
    }
    auto down =
        register_module("down" + std::to_string(level), std::make_shared<torch::nn::Module>());
    down->register_module("conv", conv);
    downs_.push_back(conv);
  }
}

std::vector<torch::Tensor> EncoderImpl::forward(const torch::Tensor& x)
{
  std::vector<torch::Tensor> levels{inc_->forward(x)};
  for (auto& down : downs_)
  {
    levels.push_back(down->forward(levels.back()));
  }
  return {levels.rbegin(), levels.rend()};
}

UpBlockImpl::UpBlockImpl(int64_t skipChannels, int64_t deepChannels, int64_t out, int64_t blocks)
{
  torch::nn::Sequential conv;
  for (int64_t block = 0; block < blocks; ++block)
  {
    conv->push_back(BasicBlock(block == 0 ? skipChannels + deepChannels : out, out));
  }
  conv_ = register_module("conv", conv);
}

torch::Tensor UpBlockImpl::forward(const torch::Tensor& deep, const torch::Tensor& skip)
{
  auto upsampled = resizeTrilinear(deep, skip.sizes().slice(2));
  return conv_->forward(torch::cat({skip, upsampled}, 1));
}

MultiPriorAttentionBlockImpl::MultiPriorAttentionBlockImpl(int64_t dim)
    : priorAggregate_(register_module("prior_aggregate_block", DualPreNormAttention(dim))),
      featAggregate_(register_module("feat_aggregate_block", DualPreNormAttention(dim))),
      priorAttention_(register_module("prior_attn_block", PreNormAttention(dim))),
      priorFfn_(register_module("prior_ffn", PreNormMlp(dim))),
      featFfn_(register_module("feat_ffn", PreNormMlp(dim))),
      priorFfn2_(register_module("prior_ffn_2", PreNormMlp(dim)))
{
}

std::pair<torch::Tensor, torch::Tensor> MultiPriorAttentionBlockImpl::forward(torch::Tensor tokens,
                                                                              torch::Tensor voxels)
{
  tokens = tokens + priorAggregate_->forward(tokens, voxels);
  tokens = tokens + priorFfn_->forward(tokens);
  voxels = voxels + featAggregate_->forward(voxels, tokens);
  voxels = voxels + featFfn_->forward(voxels);
  tokens = tokens + priorAttention_->forward(tokens);
  tokens = tokens + priorFfn2_->forward(tokens);
  return {tokens, voxels};
}

FusionLayerImpl::FusionLayerImpl(int64_t dim)
{
  auto list = register_module("attn_layers", torch::nn::ModuleList());
  for (int block = 0; block < kAttentionBlocks; ++block)
  {
    blocks_.push_back(MultiPriorAttentionBlock(dim));
    list->push_back(blocks_.back());
  }
}

std::pair<torch::Tensor, torch::Tensor> FusionLayerImpl::forward(const torch::Tensor& features,
                                                                 const torch::Tensor& tokens)
{
  const auto batch = features.size(0), channels = features.size(1);
  auto voxels = features.flatten(2).transpose(1, 2);
  auto flatTokens = tokens.reshape({batch, -1, channels}); // class-major
  for (auto& block : blocks_)
  {
    std::tie(flatTokens, voxels) = block->forward(flatTokens, voxels);
  }
  return {voxels.transpose(1, 2).reshape(features.sizes()), flatTokens.reshape(tokens.sizes())};
}

DecoderImpl::DecoderImpl(const IrisConfig& config)
{
  auto list = register_module("prior_fuse", torch::nn::ModuleList());
  for (int stage = 0; stage < config.numPriorStage; ++stage)
  {
    fusions_.push_back(FusionLayer(config.priorChannels(stage)));
    list->push_back(fusions_.back());
  }
  const int deepest = config.stageCount() - 1;
  for (int up = 1; up <= deepest; ++up)
  {
    const int skipLevel = deepest - up; // up1 joins level 3 with level 4, ..., up4 level 0
    ups_.push_back(
        register_module("up" + std::to_string(up),
                        UpBlock(config.channels[skipLevel], config.channels[skipLevel + 1],
                                config.channels[skipLevel], config.numBlock[skipLevel])));
  }
}

std::pair<torch::Tensor, std::vector<torch::Tensor>>
DecoderImpl::forward(const std::vector<torch::Tensor>& features,
                     const std::vector<torch::Tensor>& priors)
{
  auto x = features[0];
  std::vector<torch::Tensor> posteriors;
  for (size_t up = 0; up < ups_.size(); ++up)
  {
    if (up < fusions_.size())
    {
      torch::Tensor tokens;
      std::tie(x, tokens) = fusions_[up]->forward(x, priors[up]);
      posteriors.push_back(tokens.select(2, 0));
    }
    x = ups_[up]->forward(x, features[up + 1]);
  }
  return {x, posteriors};
}

TaskQueryAttentionBlockImpl::TaskQueryAttentionBlockImpl(int64_t dim)
    : attention1_(register_module("query_attn_block_1", PreNormAttention(dim))),
      aggregate_(register_module("query_aggregate_block", DualPreNormAttention(dim))),
      attention2_(register_module("query_attn_block_2", PreNormAttention(dim))),
      ffn1_(register_module("query_ffn_1", PreNormMlp(dim))),
      aggregateFfn_(register_module("query_aggregate_ffn", PreNormMlp(dim))),
      ffn2_(register_module("query_ffn_2", PreNormMlp(dim)))
{
}

torch::Tensor TaskQueryAttentionBlockImpl::forward(torch::Tensor tokens,
                                                   const torch::Tensor& context)
{
  tokens = tokens + attention1_->forward(tokens);
  tokens = tokens + ffn1_->forward(tokens);
  tokens = tokens + aggregate_->forward(tokens, context);
  tokens = tokens + aggregateFfn_->forward(tokens);
  tokens = tokens + attention2_->forward(tokens);
  tokens = tokens + ffn2_->forward(tokens);
  return tokens;
}

PositionalEmbeddingImpl::PositionalEmbeddingImpl(int64_t patch)
    : embedding(register_parameter("embedding", torch::randn({1, 1, patch, patch, patch}) * 0.02))
{
}

TaskEncodingLayerImpl::TaskEncodingLayerImpl(int64_t dim, int64_t scale, int64_t queryTokens,
                                             int64_t patch)
    : scale_(scale), taskQuery_(register_parameter("task_query", torch::randn({queryTokens, dim})))
{
  auto list = register_module("attn_layers", torch::nn::ModuleList());
  for (int block = 0; block < kAttentionBlocks; ++block)
  {
    blocks_.push_back(TaskQueryAttentionBlock(dim));
    list->push_back(blocks_.back());
  }
  normForeground_ = register_module("norm_foreground", makeLayerNorm(dim, kTaskNormEps));
  normQuery_ = register_module("norm_query", makeLayerNorm(dim, kTaskNormEps));
  normCombined_ = register_module("norm_combined", makeLayerNorm(dim, kTaskNormEps));
  normPost_ = register_module("norm_post", makeLayerNorm(dim, kTaskNormEps));
  const auto subPixels = scale * scale * scale;
  expand_ = register_module("expand", NormReluConv(dim, subPixels, 1));
  merge_ = register_module("merge", NormReluConv(2, 1, 3));
  squeeze_ = register_module("squeeze", NormReluConv(subPixels, dim, 1));
  posEmbed_ = register_module("pos_embed", PositionalEmbedding(patch));
}

torch::Tensor TaskEncodingLayerImpl::forward(const torch::Tensor& features,
                                             const torch::Tensor& masks)
{
  const auto batch = masks.size(0), classes = masks.size(1), dim = features.size(1);
  const auto full = masks.sizes().slice(2);

  // Masked mean of the upsampled features, computed through the adjoint of the upsampling so
  // that the [B,C,D,H,W] full-resolution features never exist (4 GB per stage at 128³, C 512).
  const std::vector<int64_t> coarse{batch, classes, features.size(2), features.size(3),
                                    features.size(4)};
  auto pulledMasks = at::upsample_trilinear3d_backward(masks, full, coarse, /*align_corners=*/true,
                                                       c10::nullopt, c10::nullopt, c10::nullopt);
  auto maskSums = masks.sum({2, 3, 4}).clamp_min(1.0).unsqueeze(-1);
  auto foreground =
      torch::matmul(pulledMasks.flatten(2), features.flatten(2).transpose(1, 2)) / maskSums;

  // Context features: a full-resolution map merged with each mask, plus the positional embedding.
  auto map = pixelShuffle3d(expand_->forward(features), scale_);
  auto merged = torch::cat({map.unsqueeze(1).expand({batch, classes, 1, full[0], full[1], full[2]}),
                            masks.unsqueeze(2)},
                           2)
                    .reshape({batch * classes, 2, full[0], full[1], full[2]});
  auto position =
      posEmbed_->embedding.slice(2, 0, full[0]).slice(3, 0, full[1]).slice(4, 0, full[2]);
  auto context = pixelUnshuffle3d(merge_->forward(merged) + position, scale_);
  auto perClassFeatures =
      features.unsqueeze(1)
          .expand({batch, classes, dim, features.size(2), features.size(3), features.size(4)})
          .reshape({batch * classes, dim, features.size(2), features.size(3), features.size(4)});
  context = (squeeze_->forward(context) + perClassFeatures).flatten(2).transpose(1, 2);

  auto queries = normQuery_->forward(taskQuery_).unsqueeze(0).expand({batch * classes, -1, -1});
  auto tokens = torch::cat(
      {queries, normForeground_->forward(foreground).reshape({batch * classes, 1, dim})}, 1);
  tokens = normCombined_->forward(tokens);
  for (auto& block : blocks_)
  {
    tokens = block->forward(tokens, context);
  }
  return normPost_->forward(tokens).reshape({batch, classes, -1, dim});
}

ClassHeadImpl::ClassHeadImpl(int64_t in, int64_t out)
    : norm_(register_module("norm", makeLayerNorm(in, kTaskNormEps)))
{
  auto list = register_module("classifier_pred", torch::nn::ModuleList());
  mlps_ = {Mlp(in, in, out), Mlp(out, out, out)};
  for (auto& mlp : mlps_)
  {
    list->push_back(mlp);
  }
}

torch::Tensor ClassHeadImpl::forward(const std::vector<torch::Tensor>& posteriors)
{
  auto x = norm_->forward(torch::cat(posteriors, -1));
  for (auto& mlp : mlps_)
  {
    x = mlp->forward(x);
  }
  return x;
}
} // namespace iris::inference::modules
