#include "inference/IrisNetwork.h"

#include <string>

namespace iris::inference
{
IrisNetworkImpl::IrisNetworkImpl(const IrisConfig& config)
{
  config.validate();
  int64_t headInput = 0;
  for (int stage = 0; stage < config.numPriorStage; ++stage)
  {
    const int64_t dim = config.priorChannels(stage);
    taskPriors.push_back(register_buffer("task_prior_" + std::to_string(stage),
                                         torch::randn({config.tn, config.tokensPerClass(), dim})));
    headInput += dim;
  }
  encoder_ = register_module("encoder", modules::Encoder(config));
  decoder_ = register_module("decoder", modules::Decoder(config));
  auto list = register_module("task_embedding", torch::nn::ModuleList());
  for (int stage = 0; stage < config.numPriorStage; ++stage)
  {
    taskEncoders_.push_back(modules::TaskEncodingLayer(config.priorChannels(stage),
                                                       config.priorScale(stage), config.queryTokens,
                                                       config.patchSize));
    list->push_back(taskEncoders_.back());
  }
  head_ = register_module("out", modules::ClassHead(headInput, config.channels[0]));
}

std::vector<torch::Tensor> IrisNetworkImpl::encodeFeatures(const torch::Tensor& image)
{
  return encoder_->forward(image);
}

std::vector<torch::Tensor> IrisNetworkImpl::encodePriors(const std::vector<torch::Tensor>& features,
                                                         const torch::Tensor& masks)
{
  std::vector<torch::Tensor> priors;
  for (size_t stage = 0; stage < taskEncoders_.size(); ++stage)
  {
    priors.push_back(taskEncoders_[stage]->forward(features[stage], masks));
  }
  return priors;
}

IrisNetworkImpl::Decoded IrisNetworkImpl::decode(const std::vector<torch::Tensor>& features,
                                                 const std::vector<torch::Tensor>& priors)
{
  Decoded decoded;
  torch::Tensor decoderFeatures;
  std::tie(decoderFeatures, decoded.posteriors) = decoder_->forward(features, priors);
  decoded.classifierWeights = head_->forward(decoded.posteriors);
  const auto batch = decoderFeatures.size(0);
  auto logits = torch::bmm(decoded.classifierWeights,
                           decoderFeatures.reshape({batch, decoderFeatures.size(1), -1}));
  std::vector<int64_t> shape{batch, decoded.classifierWeights.size(1)};
  for (int64_t axis = 2; axis < decoderFeatures.dim(); ++axis)
  {
    shape.push_back(decoderFeatures.size(axis));
  }
  decoded.logits = logits.reshape(shape);
  return decoded;
}

std::vector<torch::Tensor> IrisNetworkImpl::memoryBank(const torch::Tensor& indices) const
{
  std::vector<torch::Tensor> rows;
  for (const auto& prior : taskPriors)
  {
    rows.push_back(prior.index({indices}));
  }
  return rows;
}
} // namespace iris::inference
