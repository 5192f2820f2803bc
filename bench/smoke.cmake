# Runs one benchmark program for a moment and checks that its JSON output
# lists every expected benchmark without an error.
#   cmake -DEXE=<program> -DOUT=<json file> "-DEXPECTED=BM_A;BM_B" [-DMAY_FAIL=BM_C]
#         -P smoke.cmake
# MAY_FAIL: benchmarks known not to work yet (see bench/CMakeLists.txt); they
# must still be listed in the JSON, but an error of theirs is only reported.
cmake_minimum_required(VERSION 3.25)
file(REMOVE ${OUT})
# A benchmark that reports an error (SkipWithError) makes the program exit 0
# still; the JSON says what failed.
execute_process(COMMAND ${EXE} --benchmark_min_time=0.001 --benchmark_out=${OUT}
                        --benchmark_out_format=json
                RESULT_VARIABLE rc TIMEOUT 110)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}")
endif()
file(READ ${OUT} json)
string(JSON count LENGTH "${json}" benchmarks)
set(seen "")
if(count GREATER 0)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" benchmarks ${i} run_name)
    string(JSON error ERROR_VARIABLE no_error GET "${json}" benchmarks ${i} error_message)
    # "BM_X/real_time", "BM_X/64" ...: the benchmark is what precedes the first '/'.
    string(REGEX REPLACE "/.*" "" base "${name}")
    list(APPEND seen ${base})
    if(NOT no_error)
      if(base IN_LIST MAY_FAIL)
        message(STATUS "${name} failed (known, tolerated): ${error}")
        continue()
      endif()
      message(FATAL_ERROR "${name} failed: ${error}")
    endif()
    string(JSON iterations GET "${json}" benchmarks ${i} iterations)
    if(iterations LESS 1)
      message(FATAL_ERROR "${name} ran no iterations")
    endif()
  endforeach()
endif()
foreach(want ${EXPECTED})
  if(NOT want IN_LIST seen)
    message(FATAL_ERROR "${want} missing from ${OUT} (seen: ${seen})")
  endif()
endforeach()
list(LENGTH EXPECTED n)
message(STATUS "all ${n} benchmarks ran: ${seen}")
