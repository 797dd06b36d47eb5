# samsa::protocol: wire primitives, error codes, api keys and the message codecs generated from
# schema/*.schema by gen_messages.py (included from broker/protocol/CMakeLists.txt).
#
# Generated code lives only in the build tree, under ${CMAKE_BINARY_DIR}/gen, and is included
# as "broker/protocol/generated/<message>.h". Adding a message = adding a schema file: the glob
# below re-runs at build time (CONFIGURE_DEPENDS) and picks it up.
#
# One custom command per schema (a schema edit regenerates and recompiles one codec) plus one
# "index" command over all schemas for api_table.h/.cc and the test-support header. The script
# only rewrites files whose content changed.

set(SAMSA_PROTOCOL_GEN_ROOT ${CMAKE_BINARY_DIR}/gen)
set(_gen_dir ${SAMSA_PROTOCOL_GEN_ROOT}/broker/protocol/generated)
set(_gen_script ${CMAKE_CURRENT_SOURCE_DIR}/codegen/gen_messages.py)
# The generator and the modules it imports: editing any of them regenerates.
set(_gen_sources ${_gen_script})
foreach(_module IN ITEMS schema_model schema_parser cpp_types code_writer emit_struct emit_codec
                        emit_samples emit_api_table)
    list(APPEND _gen_sources ${CMAKE_CURRENT_SOURCE_DIR}/codegen/${_module}.py)
endforeach()

file(GLOB _schemas CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/schema/*.schema)
list(SORT _schemas)
if(NOT _schemas)
    message(FATAL_ERROR "no protocol schemas in ${CMAKE_CURRENT_SOURCE_DIR}/schema")
endif()

set(_codec_sources)
set(_sample_sources)
foreach(_schema IN LISTS _schemas)
    get_filename_component(_stem ${_schema} NAME_WE)
    set(_outputs ${_gen_dir}/${_stem}.h ${_gen_dir}/${_stem}.cc
                 ${_gen_dir}/testing/${_stem}_sample.cc)
    add_custom_command(
        OUTPUT ${_outputs}
        COMMAND ${Python3_EXECUTABLE} ${_gen_script} message --out-dir ${_gen_dir} ${_schema}
        DEPENDS ${_schema} ${_gen_sources}
        COMMENT "Generating protocol codec ${_stem}"
        VERBATIM)
    list(APPEND _codec_sources ${_gen_dir}/${_stem}.h ${_gen_dir}/${_stem}.cc)
    list(APPEND _sample_sources ${_gen_dir}/testing/${_stem}_sample.cc)
endforeach()

add_custom_command(
    OUTPUT ${_gen_dir}/api_table.h ${_gen_dir}/api_table.cc ${_gen_dir}/testing/samples.h
    COMMAND ${Python3_EXECUTABLE} ${_gen_script} index --out-dir ${_gen_dir} ${_schemas}
    DEPENDS ${_schemas} ${_gen_sources}
    COMMENT "Generating protocol api table"
    VERBATIM)

samsa_library(protocol
    SOURCES wire.cc error_code.cc api_key.cc
            ${_codec_sources} ${_gen_dir}/api_table.h ${_gen_dir}/api_table.cc
    DEPS samsa::records samsa::common)
target_include_directories(samsa_protocol PUBLIC ${SAMSA_PROTOCOL_GEN_ROOT})

# Test support (fill_sample for every message), built only when a test links it.
add_library(samsa_protocol_testing STATIC EXCLUDE_FROM_ALL
    ${_sample_sources} ${_gen_dir}/testing/samples.h)
add_library(samsa::protocol_testing ALIAS samsa_protocol_testing)
target_link_libraries(samsa_protocol_testing PUBLIC samsa::protocol)
samsa_set_warnings(samsa_protocol_testing)
