# Helpers shared by every module's CMakeLists.txt.

# samsa_library(<name> SOURCES ... DEPS ...) defines samsa_<name> with the alias samsa::<name>.
# Includes are rooted at the source tree ("broker/log/log.h") so a path names its module.
function(samsa_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(samsa_${name} STATIC ${ARG_SOURCES})
    add_library(samsa::${name} ALIAS samsa_${name})
    target_include_directories(samsa_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(samsa_${name} PUBLIC ${ARG_DEPS})
    samsa_set_warnings(samsa_${name})
endfunction()

function(samsa_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
    if(SAMSA_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# samsa_unit_test(<binary> SOURCES ... DEPS ...): one GoogleTest binary per module, label "unit".
function(samsa_unit_test name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
    samsa_set_warnings(${name})
    gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()
