# Project-wide helpers.

# Warnings as errors on our own code only.
set(FBL_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers)

# fbl_library(<name> SOURCES ... [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
# Defines target fbl_<name> with alias feedbackloop::<name>; includes from repo root.
function(fbl_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(fbl_${name} ${ARG_SOURCES})
  add_library(feedbackloop::${name} ALIAS fbl_${name})
  target_include_directories(fbl_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(fbl_${name} PRIVATE ${FBL_WARNINGS})
  target_link_libraries(fbl_${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_PRIVATE_LIBS})
endfunction()

# fbl_test(<name> LABEL unit|integration|e2e|stress SOURCES ... LIBS ...)  (stress: not in scripts/test.sh)
function(fbl_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT FBL_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${FBL_WARNINGS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT})
endfunction()
