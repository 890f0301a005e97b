# Compiler settings every target of ours shares: strict warnings on our code only
# (third-party headers come in as -isystem), includes rooted at the repository.
function(iris_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}")
endfunction()
