// The reference routes (docs/admin-api.md, "References") against a real Orthanc with the plugin
// and the tiny model: Orthanc series + SEG references, uploaded NIfTI pairs, their validation,
// deletion, and a job that uses an uploaded reference.
#include "dicom/Nifti.h"
#include "dicom/SegTerminology.h"
#include "dicom/SegWriter.h"
#include "tests/integration/PipelineSupport.h"
#include "tests/support/SharedData.h"

#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

namespace iris::test
{
namespace
{
using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kBoundary = "iris-test-boundary-7f3a";
const Json kBothClasses = {{"Anterior", 1}, {"Posterior", 2}};

std::string fileBytes(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A multipart body as curl -F writes it; parts are (name, bytes).
std::string multipart(const std::vector<std::pair<std::string, std::string>>& parts)
{
  std::string body;
  for (const auto& [name, bytes] : parts)
  {
    body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name +
            "\"; filename=\"" + name + ".bin\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
            bytes + "\r\n";
  }
  return body + "--" + kBoundary + "--\r\n";
}

const std::string kMixed = std::string("multipart/mixed; boundary=") + kBoundary;

class ReferenceRoutes : public ::testing::Test
{
protected:
  // One Orthanc, one query series and a SEG of it for the suite; each test has its own task.
  static void SetUpTestSuite()
  {
    orthanc_ = new OrthancServer(pipelineOptions(tinyModel(kFastPatch), Json::array()));
    queryDir_ = new TempDir();
    auto [series, source] = sendQuery(*orthanc_, *queryDir_, "query");
    series_ = new std::string(series);
    auto labels = dicom::readNiftiLabels(hippocampus("labels", kQueryCase));
    labels.geometry = source.series.image.geometry; // the series was written from this grid
    const auto seg = dicom::writeSeg(labels,
                                     {dicom::describeSegmentByName(1, "Anterior", "test", "1"),
                                      dicom::describeSegmentByName(2, "Posterior", "test", "1")},
                                     source.series, source.attributes);
    const auto stored = orthanc_->client().post("/instances", std::string(seg.begin(), seg.end()),
                                                "application/dicom");
    ASSERT_EQ(stored.status, 200) << stored.body;
    seg_ = new std::string(stored.json()["ID"].get<std::string>());
    segSeries_ = new std::string(stored.json()["ParentSeries"].get<std::string>());
    image_ = new std::string(
        orthanc_->client().get("/series/" + series).json()["Instances"][0].get<std::string>());
  }

  static void TearDownTestSuite()
  {
    for (auto* text : {series_, seg_, segSeries_, image_})
    {
      delete text;
    }
    delete queryDir_;
    delete orthanc_;
  }

  static HttpClient client() { return orthanc_->client(); }

  // A hippocampus task without references, stored through the API.
  static std::string createTask(const std::string& id)
  {
    Json task = hippocampusTask();
    task["id"] = id;
    task.erase("references");
    const auto created = client().post("/iris/tasks", task.dump());
    EXPECT_EQ(created.status, 200) << created.body;
    return "/iris/tasks/" + id + "/references";
  }

  static Json segReference(const Json& classes = kBothClasses)
  {
    return {{"series", *series_}, {"seg", *seg_}, {"classes", classes}};
  }

  static std::string niftiUpload(const std::string& labelsCase = "hippocampus_001",
                                 const std::string& classes = kBothClasses.dump())
  {
    return multipart({{"image", fileBytes(hippocampus("images", "hippocampus_001"))},
                      {"labels", fileBytes(hippocampus("labels", labelsCase))},
                      {"classes", classes}});
  }

  static fs::path uploads() { return pluginDatabase(*orthanc_).parent_path() / "references"; }
  static size_t uploadedFiles()
  {
    std::error_code ec;
    return fs::is_directory(uploads(), ec)
               ? static_cast<size_t>(std::distance(fs::directory_iterator(uploads()), {}))
               : 0;
  }

  static OrthancServer* orthanc_;
  static TempDir* queryDir_;
  static std::string* series_;
  static std::string* seg_;
  static std::string* segSeries_;
  static std::string* image_;
};

OrthancServer* ReferenceRoutes::orthanc_ = nullptr;
TempDir* ReferenceRoutes::queryDir_ = nullptr;
std::string* ReferenceRoutes::series_ = nullptr;
std::string* ReferenceRoutes::seg_ = nullptr;
std::string* ReferenceRoutes::segSeries_ = nullptr;
std::string* ReferenceRoutes::image_ = nullptr;

TEST_F(ReferenceRoutes, ASeriesAndItsSegAreAddedListedAndDeleted)
{
  const std::string route = createTask("seg-ref");
  const auto created = client().post(route, segReference().dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto reference = created.json();
  EXPECT_EQ(reference["kind"], "orthanc-seg");
  EXPECT_EQ(reference["source"]["series"], *series_);
  EXPECT_EQ(reference["classes"], kBothClasses);
  EXPECT_EQ(reference["embedding"]["cached"], false);
  const int64_t id = reference["id"];
  expectErrorAnswer(client().post(route, segReference().dump()), 409, "has this reference already");

  const auto listed = client().get(route);
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json()["references"].size(), 1u);
  EXPECT_EQ(listed.json()["references"][0]["id"], id);
  const auto task = client().get("/iris/tasks/seg-ref").json();
  ASSERT_EQ(task["definition"]["references"].size(), 1u) << task.dump();
  EXPECT_EQ(task["definition"]["references"][0]["seg"], *seg_);

  const std::string one = route + "/" + std::to_string(id);
  ASSERT_EQ(client().remove(one).status, 200);
  EXPECT_TRUE(client().get(route).json()["references"].empty());
  EXPECT_FALSE(client().get("/iris/tasks/seg-ref").json()["definition"].contains("references"));
  expectErrorAnswer(client().remove(one), 404, "has no reference");
  expectErrorAnswer(client().remove(route + "/abc"), 400, "reference id");
  expectErrorAnswer(client().remove("/iris/tasks/absent/references/1"), 404, "No task \"absent\"");
}

TEST_F(ReferenceRoutes, AJsonNiftiReferenceNamesFilesInTheConfigurationFolder)
{
  const std::string route = createTask("json-nifti");
  const auto refs = orthanc_->folder() / "refs";
  fs::create_directories(refs);
  fs::copy_file(hippocampus("images", "hippocampus_001"), refs / "image.nii.gz");
  fs::copy_file(hippocampus("labels", "hippocampus_001"), refs / "labels.nii.gz");
  Json reference = {
      {"image", "refs/image.nii.gz"}, {"labels", "refs/labels.nii.gz"}, {"classes", kBothClasses}};
  const auto created = client().post(route, reference.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["source"]["uploaded"], false);
  EXPECT_EQ(created.json()["source"]["image"], (refs / "image.nii.gz").string());
  reference["labels"] = "/etc/passwd";
  expectErrorAnswer(client().post(route, reference.dump()), 400,
                    "is outside the configuration folder");
  reference["labels"] = "refs/image.nii.gz"; // on the grid, but no voxel is exactly 1
  expectErrorAnswer(client().post(route, reference.dump()), 400,
                    "reference.classes.Anterior: label value 1 does not occur");
}

TEST_F(ReferenceRoutes, SegReferencesAreValidated)
{
  const std::string route = createTask("seg-bad");
  expectErrorAnswer(client().post(route, "{\"series\": "), 400, "not valid JSON");
  expectErrorAnswer(client().post(route, ""), 400, "Expected a JSON body");
  expectErrorAnswer(client().post(route, "[1]"), 400, "expected {");
  auto wrong = segReference();
  wrong["series"] = 7;
  expectErrorAnswer(client().post(route, wrong.dump()), 400,
                    "reference.series: expected a non-empty");
  wrong = segReference({{"Anterior", "one"}, {"Posterior", 2}});
  expectErrorAnswer(client().post(route, wrong.dump()), 400, "segment number from 1 to 65535");
  wrong = segReference();
  wrong["colour"] = "red";
  expectErrorAnswer(client().post(route, wrong.dump()), 400, "unknown key \"colour\"");
  wrong = segReference();
  wrong["series"] = "../../tools/reset";
  expectErrorAnswer(client().post(route, wrong.dump()), 400, "is not an Orthanc series id");
  wrong["series"] = "00000000-00000000-00000000-00000000-00000000";
  expectErrorAnswer(client().post(route, wrong.dump()), 400, "no such resource");
  wrong = segReference();
  wrong["series"] = *segSeries_;
  expectErrorAnswer(client().post(route, wrong.dump()), 400, "does not segment series");
  wrong = segReference();
  wrong["seg"] = *image_;
  expectErrorAnswer(client().post(route, wrong.dump()), 400, "is not a DICOM-SEG");
  expectErrorAnswer(client().post(route, segReference({{"Anterior", 1}, {"Posterior", 5}}).dump()),
                    400, "has no segment 5 (it has 1, 2)");
  expectErrorAnswer(client().post(route, segReference({{"Anterior", 1}, {"Tail", 2}}).dump()), 400,
                    "reference.classes: \"Tail\" is not a class of task \"seg-bad\"");
  expectErrorAnswer(client().post(route, segReference({{"Anterior", 1}}).dump()), 400,
                    "class \"Posterior\" of task \"seg-bad\" is missing");
  expectErrorAnswer(client().post(route, "{\"x\": \"" + std::string(70 * 1024, 'x') + "\"}"), 413,
                    "exceeds the limit");
  expectErrorAnswer(client().post("/iris/tasks/absent/references", segReference().dump()), 404,
                    "No task \"absent\"");
  expectErrorAnswer(client().get("/iris/tasks/absent/references"), 404, "No task \"absent\"");
  expectErrorAnswer(client().get("/iris/tasks/Bad!/references"), 400, "is not a task id");
  EXPECT_TRUE(client().get(route).json()["references"].empty());
}

TEST_F(ReferenceRoutes, AnUploadedNiftiPairSegmentsASeriesAndItsEmbeddingIsCached)
{
  const std::string route = createTask("upload");
  const auto created = client().post(route, niftiUpload(), kMixed);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto reference = created.json();
  EXPECT_EQ(reference["kind"], "nifti");
  EXPECT_EQ(reference["source"]["uploaded"], true);
  const fs::path image = reference["source"]["image"].get<std::string>();
  EXPECT_EQ(image.parent_path(), fs::weakly_canonical(uploads()));
  EXPECT_EQ(image.filename().string(),
            reference["source"]["imageFingerprint"].get<std::string>() + ".nii.gz");
  EXPECT_EQ(fileBytes(image), fileBytes(hippocampus("images", "hippocampus_001")));
  EXPECT_EQ(reference["embedding"]["cached"], false);

  const auto run =
      client().post("/iris/series/" + *series_ + "/segment", Json{{"tasks", {"upload"}}}.dump());
  ASSERT_EQ(run.status, 200) << run.body;
  const int64_t job = run.json()["jobs"][0]["id"];
  Json state;
  waitUntil(
      [&]
      {
        state = client().get("/iris/jobs/" + std::to_string(job)).json();
        return state["state"] == "succeeded" || state["state"] == "failed";
      },
      std::chrono::seconds(90));
  ASSERT_EQ(state["state"], "succeeded") << state.dump();
  const auto listed = client().get(route).json()["references"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["embedding"]["cached"], true) << listed.dump();
  EXPECT_GE(listed[0]["embedding"]["computedAt"].get<int64_t>(),
            reference["createdAt"].get<int64_t>());
  EXPECT_GT(listed[0]["embedding"]["bytes"].get<int64_t>(), 0);

  const auto removed = client().remove(route + "/" + std::to_string(reference["id"].get<int>()));
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_FALSE(fs::exists(image)) << "no other reference uses the uploaded file";
}

TEST_F(ReferenceRoutes, ATaskPutKeepsOrDropsUploadedReferences)
{
  const std::string route = createTask("put-upload");
  const auto created = client().post(route, niftiUpload(), kMixed);
  ASSERT_EQ(created.status, 201) << created.body;
  const fs::path labels = created.json()["source"]["labels"].get<std::string>();

  // What GET answers can be PUT back: the uploads folder is allowed, the reference unchanged.
  const auto definition = client().get("/iris/tasks/put-upload").json()["definition"];
  ASSERT_EQ(client().put("/iris/tasks/put-upload", definition.dump()).status, 200);
  const auto listed = client().get(route).json()["references"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], created.json()["id"]) << "an unchanged reference keeps its id";

  auto without = definition;
  without.erase("references");
  ASSERT_EQ(client().put("/iris/tasks/put-upload", without.dump()).status, 200);
  EXPECT_TRUE(client().get(route).json()["references"].empty());
  EXPECT_FALSE(fs::exists(labels)) << "a PUT that drops an upload deletes its files";
}

TEST_F(ReferenceRoutes, UploadsAreValidatedAndLeaveNoFileBehind)
{
  const std::string route = createTask("upload-bad");
  const size_t filesBefore = uploadedFiles();
  const auto notNifti = multipart({{"image", "not a NIfTI file"},
                                   {"labels", fileBytes(hippocampus("labels", "hippocampus_001"))},
                                   {"classes", kBothClasses.dump()}});
  expectErrorAnswer(client().post(route, notNifti, kMixed), 400, "reference.image: ");
  expectErrorAnswer(client().post(route, niftiUpload("hippocampus_003"), kMixed), 400,
                    "not on the image's grid");
  expectErrorAnswer(client().post(route,
                                  niftiUpload("hippocampus_001", R"({"Anterior":1,"Posterior":3})"),
                                  kMixed),
                    400, "label value 3 does not occur");
  expectErrorAnswer(
      client().post(route, niftiUpload("hippocampus_001", R"({"Anterior":1,"Tail":2})"), kMixed),
      400, "\"Tail\" is not a class of task");
  expectErrorAnswer(client().post(route, niftiUpload("hippocampus_001", "{\"Anterior\":"), kMixed),
                    400, "\"classes\" is not valid JSON");
  EXPECT_EQ(uploadedFiles(), filesBefore) << "refused uploads are removed";

  expectErrorAnswer(client().post(route, multipart({{"image", "x"}, {"classes", "{}"}}), kMixed),
                    400, "Missing the part \"labels\"");
  expectErrorAnswer(client().post(route, multipart({{"picture", "x"}}), kMixed), 400,
                    "Unknown part \"picture\"");
  expectErrorAnswer(client().post(route, niftiUpload(), "multipart/mixed"), 400,
                    "no valid boundary");
  expectErrorAnswer(client().post(route, "garbage", kMixed), 400, "does not start with");
  const auto body = niftiUpload();
  expectErrorAnswer(client().post(route, body.substr(0, body.size() / 2), kMixed), 400,
                    "no closing boundary");
  // Orthanc splits multipart/form-data itself and would answer 200: the plugin makes it a 415.
  const auto formData = client().post(route, niftiUpload(),
                                      std::string("multipart/form-data; boundary=") + kBoundary);
  EXPECT_EQ(formData.status, 415) << formData.body;
  EXPECT_NE(formData.body.find("multipart/mixed"), std::string::npos) << formData.body;
  EXPECT_TRUE(client().get(route).json()["references"].empty());
  EXPECT_EQ(uploadedFiles(), filesBefore);
}

TEST_F(ReferenceRoutes, TheRoutesRefuseAnonymousAccess)
{
  const auto anonymous = client().anonymous();
  for (const std::string path : {"/iris/tasks/x/references", "/iris/tasks/x/references/1"})
  {
    for (const char* method : {"GET", "POST", "PUT", "DELETE"})
    {
      EXPECT_EQ(anonymous.request(method, path, "{}", "application/json").status, 401)
          << method << " " << path;
    }
  }
}

// A task of the configuration file is upserted again at start-up and wins over references added
// through the API; the upload it no longer uses is removed then, not left on disk.
TEST(ReferenceUploadsAtStartUp, UploadsTheConfigurationReplacedAreRemoved)
{
  OrthancServer orthanc(pipelineOptions(tinyModel(kFastPatch), Json::array({hippocampusTask()})));
  const auto uploaded =
      orthanc.client().post("/iris/tasks/hippo/references",
                            multipart({{"image", fileBytes(hippocampus("images", "hippocampus_003"))},
                                       {"labels", fileBytes(hippocampus("labels", "hippocampus_003"))},
                                       {"classes", kBothClasses.dump()}}),
                            kMixed);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const auto uploads = pluginDatabase(orthanc).parent_path() / "references";
  ASSERT_EQ(std::distance(fs::directory_iterator(uploads), {}), 2);

  orthanc.stop();
  orthanc.start();
  const auto listed = orthanc.client().get("/iris/tasks/hippo/references").json();
  ASSERT_EQ(listed["references"].size(), hippocampusTask()["references"].size()) << listed.dump();
  EXPECT_EQ(std::distance(fs::directory_iterator(uploads), {}), 0);
  EXPECT_NE(orthanc.log().find("which no task uses"), std::string::npos);
}
} // namespace
} // namespace iris::test
