#include "OrthancPlugin/MultipartBody.h"

#include <gtest/gtest.h>

namespace iris::plugin
{
namespace
{
// What `curl -F image=@a.nii.gz -F 'classes={"A":1}'` sends, with a binary part that contains
// CR, LF, NUL and the boundary after a bare LF (a delimiter needs CRLF before it).
const std::string kBinary = std::string("\x1f\x8b\0\r\r\n-\n--xyz\r\n", 15) + "tail";
const std::string kBody =
    "--xyz\r\n"
    "Content-Disposition: form-data; name=\"image\"; filename=\"a.nii.gz\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n" +
    kBinary +
    "\r\n--xyz\r\n"
    "content-disposition: attachment; name=classes\r\n" // curl with multipart/mixed

    "\r\n"
    "{\"A\":1}\r\n"
    "--xyz--\r\n";

TEST(MultipartBody, PartsKeepTheirNamesAndExactBytes)
{
  const auto parts = splitMultipart(kBody, "xyz");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "image");
  EXPECT_EQ(parts[0].filename, "a.nii.gz");
  EXPECT_EQ(parts[0].contentType, "application/octet-stream");
  EXPECT_EQ(parts[0].content, kBinary);
  EXPECT_EQ(parts[1].name, "classes");
  EXPECT_EQ(parts[1].filename, "");
  EXPECT_EQ(parts[1].content, "{\"A\":1}");
  EXPECT_TRUE(splitMultipart("--xyz--\r\n", "xyz").empty());
}

TEST(MultipartBody, TheBoundaryComesFromTheContentType)
{
  EXPECT_EQ(multipartBoundary("multipart/mixed; boundary=------abc"), "------abc");
  EXPECT_EQ(multipartBoundary("Multipart/Related; type=x; Boundary=\"a b\""), "a b");
  EXPECT_THROW(multipartBoundary("application/json"), InvalidMultipart);
  EXPECT_THROW(multipartBoundary("multipart/mixed"), InvalidMultipart);
  EXPECT_THROW(multipartBoundary("multipart/mixed; boundary=" + std::string(71, 'a')),
               InvalidMultipart);
}

TEST(MultipartBody, MalformedBodiesAreRefusedWithTheReason)
{
  const auto refused = [](const std::string& body)
  {
    try
    {
      splitMultipart(body, "xyz");
    }
    catch (const InvalidMultipart& error)
    {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refused("").find("does not start with"), std::string::npos);
  EXPECT_NE(refused("junk--xyz\r\n").find("does not start with"), std::string::npos);
  EXPECT_NE(refused(kBody.substr(0, kBody.size() / 2)).find("no closing boundary"),
            std::string::npos);
  EXPECT_NE(refused("--xyz\r\nno blank line\r\n--xyz--").find("no blank line"), std::string::npos);
  EXPECT_NE(refused("--xyzq").find("not followed"), std::string::npos);
  EXPECT_NE(refused("--xyz").find("not followed"), std::string::npos);
}
} // namespace
} // namespace iris::plugin
