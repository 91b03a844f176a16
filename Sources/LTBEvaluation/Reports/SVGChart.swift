import Foundation

/// Minimal inline SVG charts for the HTML report: grouped bars and histograms, every label
/// escaped, no scripts.
enum SVGChart {
  /// Bars grouped by series: `groups[i]` has one value per series name.
  static func groupedBars(
    title: String, unit: String, series: [String], groups: [(label: String, values: [Double])]
  )
    -> String
  {
    let width = 640.0
    let height = 240.0
    let left = 56.0
    let bottom = 36.0
    let maximum = max(groups.flatMap(\.values).max() ?? 1, 1e-9)
    let slot = (width - left - 10) / Double(max(1, groups.count))
    let barWidth = max(4, (slot - 12) / Double(max(1, series.count)))
    var body = axis(width: width, height: height, left: left, bottom: bottom, maximum: maximum, unit: unit)
    for (index, group) in groups.enumerated() {
      let x0 = left + Double(index) * slot + 6
      for (position, value) in group.values.enumerated() {
        let barHeight = (height - bottom - 10) * value / maximum
        let x = x0 + Double(position) * barWidth
        body +=
          "<rect x=\"\(f(x))\" y=\"\(f(height - bottom - barHeight))\" width=\"\(f(barWidth - 2))\" height=\"\(f(barHeight))\" fill=\"\(color(position))\"><title>\(Escaping.xml("\(group.label) \(series[position]): \(String(format: "%.2f", value)) \(unit)"))</title></rect>"
      }
      body +=
        "<text x=\"\(f(x0 + slot / 2 - 6))\" y=\"\(f(height - bottom + 14))\" text-anchor=\"middle\" font-size=\"10\">\(Escaping.xml(short(group.label)))</text>"
    }
    let legend = series.enumerated().map { index, name in
      "<rect x=\"\(f(left + Double(index) * 70))\" y=\"\(f(height - 12))\" width=\"10\" height=\"10\" fill=\"\(color(index))\"/><text x=\"\(f(left + Double(index) * 70 + 14))\" y=\"\(f(height - 3))\" font-size=\"10\">\(Escaping.xml(name))</text>"
    }.joined()
    return frame(title: title, width: width, height: height, body: body + legend)
  }

  /// A histogram of values in `bins` equal bins.
  static func histogram(title: String, unit: String, values: [Double], bins: Int = 20) -> String {
    let width = 640.0
    let height = 220.0
    let left = 56.0
    let bottom = 30.0
    guard let low = values.min(), let high = values.max() else {
      return frame(title: title, width: width, height: 40, body: "<text x=\"10\" y=\"25\">no data</text>")
    }
    let span = max(high - low, 1e-9)
    var counts = [Int](repeating: 0, count: bins)
    for value in values { counts[min(bins - 1, Int((value - low) / span * Double(bins)))] += 1 }
    let maximum = Double(counts.max() ?? 1)
    let barWidth = (width - left - 10) / Double(bins)
    var body = axis(width: width, height: height, left: left, bottom: bottom, maximum: maximum, unit: "count")
    for (index, count) in counts.enumerated() {
      let barHeight = (height - bottom - 10) * Double(count) / maximum
      let from = low + span * Double(index) / Double(bins)
      body +=
        "<rect x=\"\(f(left + Double(index) * barWidth))\" y=\"\(f(height - bottom - barHeight))\" width=\"\(f(barWidth - 1))\" height=\"\(f(barHeight))\" fill=\"#4e79a7\"><title>\(Escaping.xml(String(format: "%.2f–%.2f %@: %d", from, from + span / Double(bins), unit, count)))</title></rect>"
    }
    body +=
      "<text x=\"\(f(left))\" y=\"\(f(height - 10))\" font-size=\"10\">\(Escaping.xml(String(format: "%.2f %@", low, unit)))</text><text x=\"\(f(width - 10))\" y=\"\(f(height - 10))\" font-size=\"10\" text-anchor=\"end\">\(Escaping.xml(String(format: "%.2f %@", high, unit)))</text>"
    return frame(title: title, width: width, height: height, body: body)
  }

  private static func axis(
    width: Double, height: Double, left: Double, bottom: Double, maximum: Double, unit: String
  )
    -> String
  {
    "<line x1=\"\(f(left))\" y1=\"10\" x2=\"\(f(left))\" y2=\"\(f(height - bottom))\" stroke=\"#888\"/><line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - 10))\" y2=\"\(f(height - bottom))\" stroke=\"#888\"/><text x=\"\(f(left - 4))\" y=\"16\" font-size=\"10\" text-anchor=\"end\">\(Escaping.xml(String(format: "%.3g", maximum)))</text><text x=\"\(f(left - 4))\" y=\"\(f(height - bottom))\" font-size=\"10\" text-anchor=\"end\">0</text><text x=\"4\" y=\"\(f((height - bottom) / 2))\" font-size=\"10\">\(Escaping.xml(unit))</text>"
  }

  private static func frame(title: String, width: Double, height: Double, body: String) -> String {
    "<figure><figcaption>\(Escaping.xml(title))</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\">\(body)</svg></figure>"
  }

  private static func color(_ index: Int) -> String {
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948"][index % 6]
  }

  private static func short(_ label: String) -> String {
    label.count > 28 ? String(label.prefix(27)) + "…" : label
  }

  private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
