# Fails if a file of the arch-neutral service library (lib/ except
# lib/arch-linux and other parts' subdirectories with their own rules)
# includes a header outside the freestanding set the core uses.
set(allowed cstddef cstdint cstdarg type_traits limits new utility concepts compare
    initializer_list atomic bit)
file(GLOB files ${LIB_DIR}/*.h ${LIB_DIR}/*.cc ${LIB_DIR}/sef/*.h ${LIB_DIR}/sef/*.cc
     ${LIB_DIR}/include/umklib/*.h ${LIB_DIR}/format_shim/*.h)
set(bad "")
foreach(f ${files})
  file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*<")
  foreach(l ${lines})
    string(REGEX REPLACE ".*<([^>]+)>.*" "\\1" h "${l}")
    list(FIND allowed "${h}" idx)
    if(idx EQUAL -1)
      string(APPEND bad "${f}: <${h}>\n")
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "lib/ (outside arch-linux) must stay freestanding:\n${bad}")
endif()
list(LENGTH files n)
message(STATUS "lib/: ${n} files checked, all includes freestanding")
