#include "dicom/SeriesGeometry.h"

#include "dicom/DicomError.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace iris::dicom
{
namespace
{
constexpr double kPi = 3.14159265358979323846;

double dot(const Vec3& a, const Vec3& b)
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

Vec3 cross(const Vec3& a, const Vec3& b)
{
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

Vec3 minus(const Vec3& a, const Vec3& b)
{
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}

double norm(const Vec3& a)
{
  return std::sqrt(dot(a, a));
}

template <typename Values> std::string listOf(const Values& values)
{
  std::ostringstream text;
  text << "[";
  for (size_t index = 0; index < values.size(); ++index)
  {
    text << (index ? ", " : "") << values[index];
  }
  text << "]";
  return text.str();
}

class StackPlanner
{
public:
  StackPlanner(const std::vector<SliceHeader>& slices, const std::vector<std::string>& names,
               const SeriesReadOptions& options)
      : slices_(slices), names_(names), options_(options)
  {
  }

  SliceStack plan(size_t columns, size_t rows)
  {
    if (slices_.empty())
    {
      throw InconsistentSeriesError(SeriesProblem::NoImages, "the series holds no image slices");
    }
    requireCompleteGeometry();
    requireCommonOrientationAndSpacing();
    SliceStack stack;
    stack.geometry.size = {columns, rows, slices_.size()};
    setInPlaneAxes(stack.geometry);
    sortAlongNormal(stack);
    const size_t count = slices_.size();
    if (count == 1)
    {
      if (!options_.allowSingleSlice)
      {
        throw InconsistentSeriesError(SeriesProblem::TooFewSlices, "only one slice");
      }
      setSingleSliceAxis(stack.geometry);
      return stack;
    }
    checkPositions(stack);
    return stack;
  }

private:
  std::string sliceName(size_t index) const
  {
    const SliceHeader& slice = slices_[index];
    std::string name = names_.at(slice.instance);
    if (slice.source.frameNumber > 0)
    {
      name += " frame " + std::to_string(slice.source.frameNumber);
    }
    return name;
  }

  void requireCompleteGeometry() const
  {
    for (size_t index = 0; index < slices_.size(); ++index)
    {
      const SliceHeader& slice = slices_[index];
      const char* missing = !slice.position       ? "ImagePositionPatient"
                            : !slice.orientation  ? "ImageOrientationPatient"
                            : !slice.pixelSpacing ? "PixelSpacing"
                                                  : nullptr;
      if (missing)
      {
        throw InconsistentSeriesError(SeriesProblem::BadGeometry,
                                      sliceName(index) + " has no valid " + missing);
      }
    }
  }

  void requireCommonOrientationAndSpacing() const
  {
    const SliceHeader& first = slices_.front();
    for (size_t index = 1; index < slices_.size(); ++index)
    {
      const SliceHeader& slice = slices_[index];
      for (size_t c = 0; c < 6; ++c)
      {
        if (std::abs((*slice.orientation)[c] - (*first.orientation)[c]) > 1e-3)
        {
          throw InconsistentSeriesError(SeriesProblem::MixedOrientation,
                                        "ImageOrientationPatient " + listOf(*slice.orientation) +
                                            " of " + sliceName(index) + " differs from " +
                                            listOf(*first.orientation) + " of " + sliceName(0));
        }
      }
      for (size_t c = 0; c < 2; ++c)
      {
        const double expected = (*first.pixelSpacing)[c];
        if (std::abs((*slice.pixelSpacing)[c] - expected) > 1e-3 * std::abs(expected))
        {
          throw InconsistentSeriesError(SeriesProblem::MixedPixelSpacing,
                                        "PixelSpacing " + listOf(*slice.pixelSpacing) + " of " +
                                            sliceName(index) + " differs from " +
                                            listOf(*first.pixelSpacing) + " of " + sliceName(0));
        }
      }
    }
  }

  void setInPlaneAxes(VolumeGeometry& geometry)
  {
    const auto& orientation = *slices_.front().orientation;
    Vec3 row{orientation[0], orientation[1], orientation[2]};
    Vec3 column{orientation[3], orientation[4], orientation[5]};
    const double rowLength = norm(row), columnLength = norm(column);
    if (std::abs(rowLength - 1.0) > 0.01 || std::abs(columnLength - 1.0) > 0.01 ||
        std::abs(dot(row, column)) > 0.01)
    {
      throw InconsistentSeriesError(SeriesProblem::BadGeometry,
                                    "ImageOrientationPatient " + listOf(orientation) + " of " +
                                        sliceName(0) + " is not two orthogonal unit vectors");
    }
    for (size_t c = 0; c < 3; ++c)
    {
      row[c] /= rowLength;
      column[c] /= columnLength;
    }
    geometry.axes[0] = row;
    geometry.axes[1] = column;
    normal_ = cross(row, column);
    const double normalLength = norm(normal_);
    for (double& component : normal_)
    {
      component /= normalLength;
    }
    // PixelSpacing is (between rows, between columns): i steps along a row by the column spacing.
    geometry.spacing[0] = (*slices_.front().pixelSpacing)[1];
    geometry.spacing[1] = (*slices_.front().pixelSpacing)[0];
    if (!(geometry.spacing[0] > 0.0) || !(geometry.spacing[1] > 0.0))
    {
      throw InconsistentSeriesError(SeriesProblem::BadGeometry,
                                    "PixelSpacing " + listOf(*slices_.front().pixelSpacing) +
                                        " of " + sliceName(0) + " is not positive");
    }
  }

  void sortAlongNormal(SliceStack& stack)
  {
    stack.order.resize(slices_.size());
    std::iota(stack.order.begin(), stack.order.end(), size_t{0});
    distances_.resize(slices_.size());
    for (size_t index = 0; index < slices_.size(); ++index)
    {
      distances_[index] = dot(*slices_[index].position, normal_);
    }
    std::stable_sort(stack.order.begin(), stack.order.end(),
                     [this](size_t a, size_t b) { return distances_[a] < distances_[b]; });
    stack.geometry.origin = *slices_[stack.order.front()].position;
  }

  void setSingleSliceAxis(VolumeGeometry& geometry) const
  {
    const SliceHeader& slice = slices_.front();
    geometry.axes[2] = normal_;
    geometry.spacing[2] = slice.spacingBetweenSlices > 0.0 ? slice.spacingBetweenSlices
                          : slice.sliceThickness > 0.0     ? slice.sliceThickness
                                                           : 1.0;
  }

  void checkPositions(SliceStack& stack) const
  {
    const auto& order = stack.order;
    const size_t count = order.size();
    const double extent = distances_[order.back()] - distances_[order.front()];
    if (extent < 1e-3)
    {
      throw InconsistentSeriesError(SeriesProblem::NotAVolume,
                                    "all " + std::to_string(count) +
                                        " slices lie at the same position along the normal");
    }
    if (count < options_.minimumSlices)
    {
      throw InconsistentSeriesError(SeriesProblem::TooFewSlices,
                                    std::to_string(count) + " slices; at least " +
                                        std::to_string(options_.minimumSlices) +
                                        " are needed to check the spacing");
    }
    std::vector<double> steps;
    for (size_t k = 1; k < count; ++k)
    {
      steps.push_back(distances_[order[k]] - distances_[order[k - 1]]);
    }
    std::vector<double> sorted = steps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    for (size_t k = 0; k < steps.size(); ++k)
    {
      if (steps[k] < std::max(1e-3, 0.01 * median))
      {
        throw InconsistentSeriesError(SeriesProblem::DuplicateSlices,
                                      sliceName(order[k]) + " and " + sliceName(order[k + 1]) +
                                          " lie at the same position (" +
                                          std::to_string(distances_[order[k]]) +
                                          " mm along the normal)");
      }
    }
    const Vec3& first = *slices_[order.front()].position;
    const Vec3 span = minus(*slices_[order.back()].position, first);
    const double angle =
        std::acos(std::min(1.0, std::abs(dot(span, normal_)) / norm(span))) * 180.0 / kPi;
    if (angle > options_.tiltToleranceDegrees)
    {
      throw InconsistentSeriesError(
          SeriesProblem::GantryTilt,
          "the slices step " + std::to_string(angle) +
              " degrees off the image normal (gantry tilt or sheared stack; tolerance " +
              std::to_string(options_.tiltToleranceDegrees) + " degrees)");
    }
    const Vec3 direction{span[0] / norm(span), span[1] / norm(span), span[2] / norm(span)};
    for (size_t k = 0; k < count; ++k)
    {
      const Vec3 offset = minus(*slices_[order[k]].position, first);
      const double distance = norm(cross(offset, direction));
      if (distance > options_.positionToleranceMm)
      {
        throw InconsistentSeriesError(SeriesProblem::GantryTilt,
                                      sliceName(order[k]) + " lies " + std::to_string(distance) +
                                          " mm off the line through the first and last slice");
      }
    }
    for (size_t k = 0; k < steps.size(); ++k)
    {
      if (std::abs(steps[k] - median) > options_.spacingTolerance * median)
      {
        throw InconsistentSeriesError(
            SeriesProblem::NonUniformSpacing,
            "the step from " + sliceName(order[k]) + " to " + sliceName(order[k + 1]) + " is " +
                std::to_string(steps[k]) + " mm where the median step is " +
                std::to_string(median) + " mm (missing slice?)");
      }
    }
    VolumeGeometry& geometry = stack.geometry;
    geometry.spacing[2] = norm(span) / static_cast<double>(count - 1);
    geometry.axes[2] = direction;
  }

  const std::vector<SliceHeader>& slices_;
  const std::vector<std::string>& names_;
  const SeriesReadOptions& options_;
  Vec3 normal_{};
  std::vector<double> distances_;
};
} // namespace

SliceStack planSliceStack(const std::vector<SliceHeader>& slices,
                          const std::vector<std::string>& instanceNames, size_t columns,
                          size_t rows, const SeriesReadOptions& options)
{
  return StackPlanner(slices, instanceNames, options).plan(columns, rows);
}
} // namespace iris::dicom
