#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

/** A board that carries a part, and the fabric clock its overlays run at (not
 *  deploy::BoardInfo, which is what a reachable board says about itself). */
struct DeviceBoard {
    std::string name;
    double clockMhz = 100;
};

/** One FPGA part and its capacity (FPGA_NOTES.md, resources/devices.json). */
struct Device {
    /** Base part name without package and speed grade ("xc7z020"). */
    std::string part;
    std::string family;
    int64_t lut = 0;
    int64_t ff = 0;
    int64_t bram36 = 0;
    int64_t uram = 0;
    int64_t dsp = 0;
    double defaultClockMhz = 100;
    /** The clock the peak-ops table assumes ("peak_clock_mhz"); 0 = the default clock. */
    double peakClockMhz = 0;
    std::vector<DeviceBoard> boards;
    /** The file it came from ("built-in" or a path). */
    std::string origin;
};

/** What a part or board name resolved to. */
struct DeviceChoice {
    const Device* device = nullptr;
    /** The board when a board name was given (or the only board of the part); may be empty. */
    std::string board;
    /** The board's clock, or the part's default. */
    double clockMhz = 100;
};

/** The parts the estimate knows: the built-in table (resources/devices.json,
 *  compiled in) plus any the user adds in the same format; a user's entry
 *  with an existing part name replaces it. */
class DeviceDatabase
{
public:
    /** The built-in table alone. */
    static DeviceDatabase builtIn();
    /** Built-in plus the user's file: $QNNW_DEVICES when set, else
     *  ~/.config/qnn-workbench/devices.json when it exists. False (with a
     *  sentence naming the file) when the user's file is broken. */
    static bool standard(DeviceDatabase& out, std::string& error);

    /** Adds the parts of a devices file's text; `origin` names it in errors.
     *  Nothing is added when any entry is malformed. */
    bool addJson(const std::string& text, const std::string& origin, std::string& error);
    bool addFile(const std::string& path, std::string& error);

    /** A board name ("pynq-z2"), a part ("xc7z020") or a full part number
     *  ("xc7z020clg400-1"), case-insensitive. The error lists what is known. */
    bool find(const std::string& name, DeviceChoice& out, std::string& error) const;
    const std::vector<Device>& devices() const { return m_devices; }
    /** Every board and part name, for choosers. */
    std::vector<std::string> names() const;

private:
    std::vector<Device> m_devices;
};

/** Path of the user's devices file ($QNNW_DEVICES or ~/.config/qnn-workbench/devices.json). */
std::string userDevicesPath();

} // namespace qnn
